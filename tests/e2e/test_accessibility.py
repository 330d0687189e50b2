"""Issue 10, item 17: axe-core finds no critical or serious violation on the pages people use.

axe-core is vendored (tests/e2e/vendor/, see its README): nothing is downloaded at run time. The portal's CSP
allows only its own scripts, so this module's browser context bypasses CSP to inject axe.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from gdportal import demo as demo_data

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = ("critical", "serious")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}


def violations(page):
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} — "
        + "; ".join(f"{' '.join(n['target'])} {n['html'][:120]}" for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


class Audit:
    """Collects the blocking violations of every page visited, so one run reports them all."""

    def __init__(self, page, base):
        self.page, self.base, self.found = page, base, {}

    def visit(self, label, path=None):
        if path is not None:
            self.page.goto(self.base + path)
        problems = violations(self.page)
        if problems:
            self.found[f"{label} ({self.page.url.removeprefix(self.base)})"] = problems

    def report(self):
        return "\n".join(f"{page}:\n  " + "\n  ".join(problems) for page, problems in self.found.items())


def sign_in_atende(page, base, email):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()


def sign_in_apr(page, base):
    page.context.clear_cookies()
    page.goto(base + "/apr/")
    page.fill("#id_username", demo_data.RT_CPF)
    page.fill("#id_password", demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Consulta de pedidos")).to_be_visible()


def sign_in_admin(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo_data.DEMO_PASSWORD)
    page.locator("input[type=submit]").click()


def _order_under_analysis():
    """The demo's "NS emitida" case, taken by the demo RT through APR Web and sent for analysis."""
    from django.contrib.auth import get_user_model

    from aprweb.models import RTRegistration
    from aprweb.services_orders import order_submit
    from gdportal.cases.choices import CaseState
    from gdportal.cases.models import Case
    from tests.aprweb.conftest import attach, build_order

    rt = get_user_model().objects.get(email=demo_data.RT_EMAIL)
    if not RTRegistration.objects.filter(user=rt).exists():
        from tests import factories

        factories.RTRegistrationFactory(cpf=rt.cpf, email=rt.email, status="approved", user=rt)
    case = Case.objects.filter(rt=rt, state=CaseState.AWAITING_TECHNICAL).order_by("id").first()
    order = build_order(case, rt)
    from aprweb.selectors import missing_kinds

    for kind in missing_kinds(case, order):
        attach(order, kind, rt, name=kind.replace("_", "-") + ".pdf")
    from tests import factories

    factories.fill_generation(case, rt)  # "Dados técnicos da geração" (SPEC §16), needed to send
    order_submit(order=order, by=rt)
    return order


def test_main_pages_have_no_critical_or_serious_violations(live_server, page, demo):
    from django.contrib.auth import get_user_model

    from gdportal.cases.models import Case

    base = live_server.url
    page.set_default_timeout(15000)
    audit = Audit(page, base)
    order = _order_under_analysis()
    customer = get_user_model().objects.get(email=demo_data.CUSTOMER_EMAIL).customer
    case = Case.objects.filter(customer=customer).exclude(protocol=None).exclude(pk=order.case_id).first()

    audit.visit("landing", "/")
    audit.visit("Atende login", "/accounts/login/")
    audit.visit("APR login", "/apr/")
    audit.visit("RT registration", "/apr/cadastro/")
    page.get_by_role("button", name="Enviar cadastro").click()
    audit.visit("RT registration with errors")
    audit.visit("admin login", "/admin/login/")

    sign_in_atende(page, base, demo_data.CUSTOMER_EMAIL)
    audit.visit("request form", "/atende/gd/solicitar/instalacao/3000000001/")
    page.get_by_role("button", name="Continuar: conferir os dados").click()
    expect(page.locator("#error-summary")).to_be_visible()
    audit.visit("request form with errors")
    audit.visit("status list", "/atende/servicos/")
    audit.visit("case page", f"/atende/servicos/{case.protocol}/")
    audit.visit("case page with an order", f"/atende/servicos/{order.case.protocol}/")

    sign_in_apr(page, base)
    audit.visit("APR orders")
    audit.visit("order page", f"/apr/pedidos/{order.pk}/")

    sign_in_admin(page, base, "admin")
    audit.visit("admin index")
    audit.visit("admin case list", "/admin/cases/case/")
    audit.visit("admin case page", f"/admin/cases/case/{case.pk}/change/")
    audit.visit("deadlines board", "/admin/prazos/")
    sign_in_admin(page, base, "analista.tecnico")
    audit.visit("technical queue", "/admin/aprweb/technicalqueue/")
    audit.visit("technical review", f"/admin/aprweb/technicalqueue/{order.case.pk}/change/")

    assert not audit.found, "\n" + audit.report()


def test_new_challenge_button_replaces_the_captcha_and_keeps_the_form(live_server, page, demo):
    page.goto(live_server.url + "/apr/cadastro/")
    page.fill("#id_name", "Beatriz Lima Campos")
    key = page.locator("input[name=captcha_0]").input_value()
    image = page.locator("[data-captcha-image]").get_attribute("src")
    expect(page.locator("[data-captcha-reload]")).to_be_hidden()  # JavaScript took over the link
    page.locator("button[data-captcha-new]").click()
    expect(page.locator("[data-captcha-status]")).not_to_be_empty()
    assert page.locator("input[name=captcha_0]").input_value() != key
    assert page.locator("[data-captcha-image]").get_attribute("src") != image
    new_key = page.locator("input[name=captcha_0]").input_value()
    audio = page.locator("[data-captcha-audio]")
    if audio.count():  # a machine with the voice: the audio follows the new challenge
        assert new_key in audio.get_attribute("href")
    expect(page.locator("#id_name")).to_have_value("Beatriz Lima Campos")
    expect(page.locator("#id_captcha_1")).to_be_focused()
    # A wrong answer is said under the box, not only in the summary at the top.
    page.fill("#id_captcha_1", "errado")
    page.get_by_role("button", name="Enviar cadastro").click()
    expect(page.locator("#div_id_captcha .invalid-feedback")).to_be_visible()
