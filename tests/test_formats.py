import re

import pytest

from gdportal.web.templatetags.br import phone


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("31988887777", "(31) 98888-7777"), ("3132221111", "(31) 3222-1111"), ("", ""), ("123", "123")],
)
def test_phone_display(raw, shown):
    assert phone(raw) == shown


def test_dev_mailbox_lists_messages_with_brazilian_dates(client, settings):
    from django.core.mail import send_mail

    settings.DEBUG = True
    settings.ROOT_URLCONF = "tests.urls_dev"
    settings.EMAIL_BACKEND = "gdportal.notifications.backends.MaildirBackend"
    send_mail("Assunto de teste", "corpo", "a@gdportal.dev", ["b@example.com"])
    html = client.get("/dev/emails/").content.decode()
    assert "Assunto de teste" in html
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", html)
    message = re.search(r'href="(/dev/emails/[^"]+)"', html)[1]
    assert "corpo" in client.get(message).content.decode()


def test_dev_mailbox_is_absent_without_debug(client):
    assert client.get("/dev/emails/").status_code == 404
