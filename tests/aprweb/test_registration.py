"""RT registration (SPEC §5.1): the form, the registration analyst's decision, the three e-mails, the APR
password link."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from aprweb.models import RTRegistration
from aprweb.services_registration import rt_registration_approve, rt_registration_reject
from gdportal.cases.services import ServiceError
from gdportal.notifications.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Ana Paula Ribeiro",
    "cpf": "111.444.777-35",
    "rg": "MG-12.345.678",
    "email": "ana@rt.dev",
    "email_confirmation": "ANA@rt.dev",
    "street": "Rua dos Inconfidentes",
    "street_number": "10",
    "district": "Funcionários",
    "cep": "30140-120",
    "municipality": "Belo Horizonte",
    "uf": "MG",
    "council": "CREA",
    "council_number": "MG-98765",
    "title": "electrical_engineer",
    "captcha_0": "x",
    "captcha_1": "PASSED",
}


@pytest.fixture
def registration_analyst(db):
    return factories.StaffFactory(username="analista.cadastro", role="Analista de cadastro")


def test_rt_registers_and_gets_the_due_date(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("aprweb:register"), FORM)
    assert response.status_code == 200 and "Cadastro recebido" in response.content.decode()
    registration = RTRegistration.objects.get()
    assert registration.cpf == "11144477735" and registration.status == "pending"
    assert registration.review_due_at > registration.submitted_at
    assert OutboundEmail.objects.get().template == "rt_registration_received"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email_confirmation", "outra@rt.dev", "Os dois e-mails não conferem"),
        ("cpf", "111.444.777-36", "CPF inválido"),
        ("captcha_1", "ERRADO", "captcha"),
    ],
)
def test_registration_form_errors_keep_the_data(client, field, value, message):
    response = client.post(reverse("aprweb:register"), {**FORM, field: value})
    html = response.content.decode()
    assert response.status_code == 400 and message.lower() in html.lower()
    assert 'value="Ana Paula Ribeiro"' in html and not RTRegistration.objects.exists()


def test_a_cpf_already_registered_is_refused(client, rt):
    response = client.post(reverse("aprweb:register"), {**FORM, "cpf": rt.cpf})
    assert "já está cadastrado" in response.content.decode()


def test_approval_sends_the_three_emails_and_the_link_sets_the_apr_password(
    client, registration_analyst, django_capture_on_commit_callbacks
):
    client.post(reverse("aprweb:register"), FORM)
    registration = RTRegistration.objects.get()
    client.force_login(registration_analyst)
    queue = client.get(reverse("admin:aprweb_rtregistration_changelist")).content.decode()
    assert "Ana Paula Ribeiro" in queue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:aprweb_rtregistration_decide", args=[registration.pk, "approve"]))
    registration.refresh_from_db()
    user = registration.user
    assert registration.status == "approved" and user.is_rt and user.cpf == "11144477735"
    templates = list(
        OutboundEmail.objects.filter(related_object=f"rt-registration:{registration.pk}")
        .order_by("id")
        .values_list("template", flat=True)
    )
    assert templates == [
        "rt_registration_received",
        "rt_atende_login",
        "rt_apr_approved",
        "rt_apr_password_link",
    ]
    login_mail = OutboundEmail.objects.get(template="rt_atende_login").body_text
    initial = re.search(r"Senha inicial: (\S+)", login_mail).group(1)
    assert user.check_password(initial)
    assert "111444777" in OutboundEmail.objects.get(template="rt_apr_approved").body_text

    link = re.search(
        r"(/apr/senha/\S+/)", OutboundEmail.objects.get(template="rt_apr_password_link").body_text
    )[1]
    client.logout()
    assert (
        client.post(
            link, {"password1": "Nova-Senha-APR-2026", "password2": "Nova-Senha-APR-2026"}
        ).status_code
        == 302
    )
    user.refresh_from_db()
    assert user.check_apr_password("Nova-Senha-APR-2026")
    assert client.get(link).status_code == 400  # one-time: used links stop working
    assert (
        client.post("/apr/", {"username": "111.444.777-35", "password": "Nova-Senha-APR-2026"}).status_code
        == 302
    )


def test_rejection_needs_a_reason_and_sends_one_email(client, registration_analyst):
    client.post(reverse("aprweb:register"), FORM)
    registration = RTRegistration.objects.get()
    client.force_login(registration_analyst)
    url = reverse("admin:aprweb_rtregistration_decide", args=[registration.pk, "reject"])
    client.post(url, {"reason": ""})
    registration.refresh_from_db()
    assert registration.status == "pending"
    client.post(url, {"reason": "Registro no CREA não encontrado"})
    registration.refresh_from_db()
    assert registration.status == "rejected" and registration.user is None
    assert OutboundEmail.objects.filter(template="rt_registration_rejected").count() == 1
    assert not get_user_model().objects.filter(cpf="11144477735").exists()


def test_only_the_registration_analyst_decides(db, commercial_analyst):
    registration = factories.RTRegistrationFactory()
    with pytest.raises(PermissionDenied):
        rt_registration_approve(registration=registration, by=commercial_analyst)


def test_a_deciding_twice_is_refused(registration_analyst):
    registration = factories.RTRegistrationFactory()
    rt_registration_approve(registration=registration, by=registration_analyst)
    with pytest.raises(ServiceError):
        rt_registration_reject(registration=registration, by=registration_analyst, reason="x")


def test_an_email_longer_than_an_account_name_is_refused_at_registration(client):
    email = "a" * 64 + "@" + "b" * 60 + "." + "c" * 18 + ".com.br"  # 151 characters
    assert len(email) == 151
    response = client.post(reverse("aprweb:register"), {**FORM, "email": email, "email_confirmation": email})
    assert response.status_code == 400
    assert "Um e-mail para o APR Web tem no máximo 150 caracteres" in response.content.decode()
    assert not RTRegistration.objects.exists()


def test_approving_a_registration_with_an_overlong_email_is_refused_not_a_500(registration_analyst):
    registration = factories.RTRegistrationFactory(email="a" * 64 + "@" + "b" * 90 + ".com")
    with pytest.raises(ServiceError):
        rt_registration_approve(registration=registration, by=registration_analyst)
    registration.refresh_from_db()
    assert registration.status == "pending"


@pytest.mark.parametrize("spelling", ["ANA@RT.DEV", "İNES@rt.dev", "ınes@rt.dev"])
def test_an_email_that_folds_to_an_existing_account_is_refused(client, spelling):
    factories.UserFactory(username="ana@rt.dev")
    factories.UserFactory(username="ines@rt.dev")
    response = client.post(
        reverse("aprweb:register"), {**FORM, "email": spelling, "email_confirmation": spelling}
    )
    assert response.status_code == 400 and "Este e-mail já está cadastrado" in response.content.decode()
    assert not RTRegistration.objects.exists()


def test_the_confirmation_may_be_typed_in_another_case(client):
    response = client.post(reverse("aprweb:register"), {**FORM, "email_confirmation": "Ana@RT.dev"})
    assert response.status_code == 200 and RTRegistration.objects.count() == 1
