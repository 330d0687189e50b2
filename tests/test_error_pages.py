"""Issue 10 item 3: with DEBUG off, the error pages are the portal's, in Portuguese, and say what to do next
(not Django's bare English pages). The 500 page renders with no request context and no database."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, override_settings
from django.urls import path

from gdportal.urls import urlpatterns as project_urlpatterns


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("tampered")


def broken(request):
    raise RuntimeError("bug")


urlpatterns = [
    *project_urlpatterns,
    path("test-errors/403/", forbidden),
    path("test-errors/400/", suspicious),
    path("test-errors/500/", broken),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def page(response):
    html = response.content.decode()
    assert '<html lang="pt-br">' in html
    assert "portal.css" in html  # the portal's layout, not Django's bare page
    return html


@override_settings(DEBUG=False)
def test_a_missing_page_says_so_in_portuguese_and_offers_the_way_back(client):
    response = client.get("/nao-existe/")
    assert response.status_code == 404
    html = page(response)
    assert "<title>Página não encontrada · Portal GD</title>" in html
    assert "Not Found" not in html
    assert 'href="/"' in html and 'href="/acompanhamento/"' in html


@override_settings(DEBUG=False)
def test_a_forbidden_page_says_to_sign_in_with_the_right_account(client):
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    html = page(response)
    assert "Acesso negado" in html and "403 Forbidden" not in html
    assert 'href="/accounts/login/"' in html and 'href="/apr/"' in html


@override_settings(DEBUG=False)
def test_a_csrf_failure_says_to_reload_the_page_and_try_again(customer):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": customer.email, "password": "x"})
    assert response.status_code == 403
    html = page(response)
    assert "recarregue a página (F5) e tente de novo" in html
    assert "CSRF verification failed" not in html


@override_settings(DEBUG=False)
def test_a_bad_request_says_what_to_do(client):
    response = client.get("/test-errors/400/")
    assert response.status_code == 400
    html = page(response)
    assert "Não foi possível entender o pedido" in html and "Bad Request" not in html


@override_settings(DEBUG=False)
def test_a_server_error_page_renders_without_the_database(monkeypatch):
    from django.db import connection

    def no_database(*args, **kwargs):
        raise RuntimeError("database down")

    browser = Client(raise_request_exception=False)
    monkeypatch.setattr(connection, "cursor", no_database)
    response = browser.get("/test-errors/500/")
    assert response.status_code == 500
    html = page(response)
    assert "<title>Erro no portal · Portal GD</title>" in html
    assert "Tente de novo em alguns minutos" in html and "Server Error" not in html
