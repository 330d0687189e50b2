"""/verificar/ (SPEC §6.1): the code shows that the parecer exists, its protocol, dates and SHA-256 — nothing
personal; wrong codes say so and are limited per address."""

import pytest
from django.urls import reverse

from tests.parecer.conftest import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def parecer(approved_case, technical_analyst):
    return issue(approved_case, technical_analyst)


def test_the_code_shows_the_document_and_nothing_personal(client, parecer):
    typed = parecer.code_display.lower()  # as read from paper: dashes, lower case
    response = client.post(reverse("verify:lookup"), {"code": typed})
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    case = parecer.case
    assert page.status_code == 200
    assert case.protocol in html and parecer.document.sha256 in html
    assert parecer.valid_until.strftime("%d/%m/%Y") in html
    for personal in (case.holder_name, case.document, case.street, case.email):
        assert personal not in html


def test_a_wrong_code_says_so_and_is_limited(client, parecer, settings):
    settings.GD_VERIFY_LIMIT = 3
    for _ in range(3):
        response = client.post(reverse("verify:lookup"), {"code": "ABCD-EFGH-JKMN"})
        assert response.status_code == 400
        assert "Nenhum parecer de acesso tem este código" in response.content.decode()
    blocked = client.post(reverse("verify:lookup"), {"code": parecer.code_display})
    assert blocked.status_code == 429
    # Guessing through the URL counts the same.
    assert client.get(reverse("verify:code", args=["ZZZZZZZZZZZZ"])).status_code == 429


def test_a_guessed_url_is_a_404_not_a_hint(client, parecer):
    response = client.get(reverse("verify:code", args=["ZZZZZZZZZZZZ"]))
    assert response.status_code == 404
    assert parecer.case.protocol not in response.content.decode()
