import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from gdportal.accounts import roles
from gdportal.notifications.models import OutboundEmail
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login_atende(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def login_apr(client, cpf, password):
    return client.post(reverse("aprweb:login"), {"username": cpf, "password": password})


def test_customer_signs_in_to_atende_with_email_in_any_case(client, customer):
    response = login_atende(client, "MARIA@example.com", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").context["user"] == customer


def test_wrong_password_shows_a_portuguese_message_next_to_the_form(client, customer):
    response = login_atende(client, customer.email, "errada")
    assert response.status_code == 200
    assert "E-mail ou senha incorretos" in response.content.decode()


def test_staff_cannot_use_the_atende_login(client, commercial_analyst):
    response = login_atende(client, commercial_analyst.email, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_rt_signs_in_to_apr_by_cpf_with_mask_and_apr_password(client, rt):
    masked = f"{rt.cpf[:3]}.{rt.cpf[3:6]}.{rt.cpf[6:9]}-{rt.cpf[9:]}"
    response = login_apr(client, masked, "Apr-" + PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("aprweb:orders")
    assert client.get(reverse("aprweb:orders")).status_code == 200


def test_apr_does_not_accept_the_atende_password(client, rt):
    response = login_apr(client, rt.cpf, PASSWORD)
    assert response.status_code == 200
    assert "CPF ou senha do APR Web incorretos" in response.content.decode()


def test_atende_session_does_not_open_apr_web(client, rt):
    assert login_atende(client, rt.email, PASSWORD).status_code == 302
    response = client.get(reverse("aprweb:orders"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("aprweb:login"))


def test_customer_cannot_sign_in_to_apr(client, customer):
    customer.cpf = "52998224725"
    customer.set_apr_password("x")
    customer.save()
    assert login_apr(client, customer.cpf, "x").status_code == 200


def test_staff_signs_in_to_admin_by_username(client, commercial_analyst):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "analista.comercial", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_brute_force_locks_out_after_five_failures(client, customer):
    for _ in range(5):
        login_atende(client, customer.email, "errada")
    response = login_atende(client, customer.email, PASSWORD)
    assert response.status_code == 429
    assert "Acesso temporariamente bloqueado" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_apr_brute_force_is_locked_too(client, rt):
    for _ in range(5):
        login_apr(client, rt.cpf, "errada")
    assert login_apr(client, rt.cpf, "Apr-" + PASSWORD).status_code == 429


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from django.conf import settings

    from gdportal import settings as project_settings

    # Tests swap in a fast hasher; the project's own list starts with Argon2.
    assert project_settings.PRODUCTION_PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.AUTH_PASSWORD_VALIDATORS


def test_password_reset_goes_through_the_outbox_in_portuguese(
    client, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": customer.email})
    assert response.status_code == 302
    email = OutboundEmail.objects.get()
    assert email.to == [customer.email]
    assert email.subject == "Redefina sua senha"
    assert "/accounts/reset/" in email.body_text
    assert len(mail.outbox) == 1 and mail.outbox[0].alternatives  # text + HTML parts


def test_every_staff_group_exists_with_exactly_its_permissions():
    roles.sync_roles(strict=True)
    for role, codes in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert have == set(codes)


def test_staff_groups_cannot_change_the_registry():
    for role in roles.ROLES:
        group = Group.objects.get(name=role)
        assert not group.permissions.filter(codename__in=["change_customer", "delete_installation"]).exists()


def long_email(length):
    """A well-formed e-mail of exactly `length` characters (labels of at most 63)."""
    local = "a" * 64
    labels, rest = [], length - len(local) - 1 - len(".com")
    while rest > 0:
        size = min(60, rest - 1 if rest > 61 else rest)
        labels.append("b" * size)
        rest -= size + 1
    email = f"{local}@{'.'.join(labels)}.com"
    assert len(email) == length, len(email)
    return email


@pytest.mark.parametrize("length", [255, 256, 300, 320])
def test_an_overlong_email_at_the_atende_login_gets_a_form_error_not_a_500(client, length):
    from axes.models import AccessAttempt

    response = login_atende(client, long_email(length), "errada")
    assert response.status_code == 200
    assert "Um endereço de e-mail tem no máximo 254 caracteres" in response.content.decode()
    assert not AccessAttempt.objects.exists()  # nothing reached the lockout table's 255-character column


def test_an_email_of_254_characters_is_still_a_normal_failed_login(client):
    response = login_atende(client, long_email(254), "errada")
    assert response.status_code == 200 and "E-mail ou senha incorretos" in response.content.decode()


@pytest.mark.parametrize("length", [151, 256, 1000])
def test_an_overlong_username_at_the_admin_login_gets_a_form_error_not_a_500(client, length):
    from axes.models import AccessAttempt

    response = client.post("/admin/login/?next=/admin/", {"username": "x" * length, "password": "errada"})
    assert response.status_code == 200
    assert "Um nome de usuário tem no máximo 150 caracteres" in response.content.decode()
    assert not AccessAttempt.objects.exists()
