"""The API's interactive docs work in a real browser under the portal's CSP, with nothing from a CDN."""

from urllib.parse import urlparse

from playwright.sync_api import expect


def test_the_api_docs_list_the_operations_from_local_files_only(live_server, page, transactional_db):
    hosts, refused = set(), []
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname))
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/cases/").first).to_be_visible()
    assert hosts == {urlparse(live_server.url).hostname}
    assert refused == []
