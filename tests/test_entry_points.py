"""Issue 10 items 1 and 16: what a newcomer needs to find is linked where they look, and the APR Web login
helps instead of confusing (CPF box, forgotten APR password, lockout)."""

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from gdportal.notifications.models import OutboundEmail
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
REGISTER = "/apr/cadastro/"
TRACKING = "/acompanhamento/"
APR_RESET = "/apr/esqueci-senha/"
APR_UNLOCK = "/apr/desbloquear/"


def links(html):
    return set(re.findall(r'href="([^"]+)"', html))


# --- item 16: the APR login ---


def test_an_email_typed_in_the_cpf_box_is_answered_with_what_to_type(client, rt):
    response = client.post(reverse("aprweb:login"), {"username": rt.email, "password": "qualquer"})
    html = response.content.decode()
    assert "Use o CPF (11 dígitos), não o e-mail." in html
    assert "no máximo" not in html  # not the field-length error a long e-mail used to get


def test_a_long_email_in_the_cpf_box_gets_the_same_hint_not_a_length_error(client):
    response = client.post(
        reverse("aprweb:login"), {"username": "responsavel.tecnico@engenharia.example.com", "password": "x"}
    )
    html = response.content.decode()
    assert "Use o CPF (11 dígitos), não o e-mail." in html and "no máximo" not in html


def test_sign_in_on_apr_pages_leads_to_the_apr_login(client):
    html = client.get(REGISTER).content.decode()
    header = html.split("</header>")[0]
    assert 'href="/apr/"' in re.search(r"<a[^>]*>Entrar</a>", header)[0]
    # Elsewhere the header's "Entrar" stays Atende's.
    header = client.get("/atende/").content.decode().split("</header>")[0]
    assert 'href="/accounts/login/"' in re.search(r"<a[^>]*>Entrar</a>", header)[0]


# --- item 1: entry points linked where a user looks ---


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/apr/", {REGISTER, APR_RESET, APR_UNLOCK, TRACKING}),
        ("/", {REGISTER, TRACKING}),
        ("/accounts/login/", {REGISTER, TRACKING, "/accounts/password_reset/"}),
    ],
)
def test_each_entry_page_links_registration_tracking_and_recovery(client, url, expected):
    assert expected <= links(client.get(url).content.decode())


def test_the_footer_links_registration_and_tracking_on_every_page(client):
    for url in ["/", "/atende/", "/apr/", "/accounts/password_reset/"]:
        footer = client.get(url).content.decode().split("<footer", 1)[1]
        assert {REGISTER, TRACKING} <= links(footer), url


def ask_apr_reset(client, cpf, **extra):
    return client.post(APR_RESET, {"cpf": cpf}, **extra)


def test_the_apr_reset_sends_a_link_for_an_rt_and_nothing_for_an_unknown_cpf_with_the_same_answer(
    client, rt, django_capture_on_commit_callbacks
):
    answers = []
    for cpf in [rt.cpf, "529.982.247-25"]:  # a valid CPF nobody has in APR Web
        with django_capture_on_commit_callbacks(execute=True):
            response = ask_apr_reset(client, cpf)
        answers.append((response.status_code, response["Location"]))
    assert answers[0] == answers[1] == (302, reverse("aprweb:password_reset_done"))
    sent = OutboundEmail.objects.exclude(status=OutboundEmail.Status.SKIPPED)
    assert [email.to for email in sent] == [[rt.email]]
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SKIPPED).count() == 1
    # The link is the APR password link: it opens the page that sets the APR password.
    link = re.search(r"(/apr/senha/\S+/)", sent.get().body_text)[1]
    assert client.get(link).status_code == 200


def test_the_apr_reset_is_not_for_a_customer_cpf(client, customer, django_capture_on_commit_callbacks):
    customer.cpf = "52998224725"
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_apr_reset(client, "529.982.247-25")
    assert response.status_code == 302
    assert not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SKIPPED).exists()


def test_the_apr_reset_is_throttled_per_cpf_silently_and_per_address_openly(
    client, rt, settings, django_capture_on_commit_callbacks
):
    settings.GD_PASSWORD_RESET_PER_ADDRESS = 100
    with time_machine.travel(NOON, tick=False):
        for n in range(7):
            with django_capture_on_commit_callbacks(execute=True):
                response = ask_apr_reset(client, rt.cpf, REMOTE_ADDR=f"198.51.100.{n}")
            assert response.status_code == 302
        assert OutboundEmail.objects.filter(to=[rt.email]).count() == settings.GD_PASSWORD_RESET_PER_EMAIL
        settings.GD_PASSWORD_RESET_PER_ADDRESS = 2
        for _attempt in range(2):
            assert ask_apr_reset(client, "529.982.247-25", REMOTE_ADDR="203.0.113.9").status_code == 302
        response = ask_apr_reset(client, "529.982.247-25", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert "Muitos pedidos" in response.content.decode()


def test_an_email_in_the_apr_reset_form_gets_the_cpf_hint(client):
    response = ask_apr_reset(client, "rt@example.com")
    assert response.status_code == 400
    assert "Use o CPF (11 dígitos), não o e-mail." in response.content.decode()


def test_a_locked_rt_is_told_why_and_the_new_apr_password_unlocks_the_cpf(
    client, rt, django_capture_on_commit_callbacks
):
    for _ in range(5):
        client.post(reverse("aprweb:login"), {"username": rt.cpf, "password": "errada"})
    locked = client.post(reverse("aprweb:login"), {"username": rt.cpf, "password": "Apr-" + PASSWORD})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "15 minutos" in html and APR_RESET in links(html)

    unlock = client.get(APR_UNLOCK).content.decode()
    assert "15 minutos" in unlock and APR_RESET in links(unlock)

    with django_capture_on_commit_callbacks(execute=True):
        ask_apr_reset(client, rt.cpf)
    link = re.search(r"(/apr/senha/\S+/)", OutboundEmail.objects.get(to=[rt.email]).body_text)[1]
    new = "Nova-senha-APR-2026"
    assert client.post(link, {"password1": new, "password2": new}).status_code == 302
    assert not AccessAttempt.objects.filter(username=rt.cpf).exists()
    assert client.post(reverse("aprweb:login"), {"username": rt.cpf, "password": new}).status_code == 302


def test_a_new_atende_password_unlocks_the_email_too(client, customer, django_capture_on_commit_callbacks):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": customer.email, "password": "errada"})
    assert AccessAttempt.objects.filter(username=customer.email).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password_reset/", {"email": customer.email})
    link = OutboundEmail.objects.get().body_text.split("http://127.0.0.1:8000", 1)[1].split()[0]
    form_url = client.get(link).url
    new = "Nova-senha-Atende-2026"
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    assert not AccessAttempt.objects.filter(username=customer.email).exists()
    assert (
        client.post(reverse("accounts:login"), {"username": customer.email, "password": new}).status_code
        == 302
    )
