import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/", "/healthz", "/admin/login/", "/accounts/login/", "/apr/", "/atende/", "/accounts/password_reset/"],
)
def test_public_pages_answer_200(client, url):
    assert client.get(url).status_code == 200


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    assert client.get("/healthz").status_code == 503


def test_landing_page_speaks_portuguese_and_leads_to_both_stages(client):
    html = client.get("/").content.decode()
    assert '<html lang="pt-br">' in html
    assert "Conecte sua usina à rede" in html
    assert 'href="/atende/"' in html and 'href="/apr/"' in html
    assert "Ir para o conteúdo principal" in html  # skip link
    assert "<title>Início · Portal GD</title>" in html


def test_every_page_has_its_own_title(client):
    titles = set()
    for url in ["/", "/accounts/login/", "/apr/", "/atende/"]:
        html = client.get(url).content.decode()
        titles.add(html.split("<title>")[1].split("</title>")[0])
    assert len(titles) == 4


def test_assets_are_served_locally_never_from_a_cdn(client):
    html = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_post_to_healthz_is_refused(client):
    assert client.post("/healthz").status_code == 405
