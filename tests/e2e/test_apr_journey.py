"""Issue 4's journey in a real browser: a new RT registers, is approved, sets the APR password from the
e-mail link, registers the order, uploads everything, is suspended once, corrects, and gets approved."""

import re

from playwright.sync_api import expect

from gdportal import demo as demo_data
from tests.files import pdf_bytes

CPF = "987.654.321-00"


def admin_login(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo_data.DEMO_PASSWORD)
    page.locator("input[type=submit]").click()


def test_rt_registration_to_approved_project(live_server, page, demo, tmp_path):
    from django.contrib.auth import get_user_model

    from atende import services as atende_services
    from gdportal.cases.models import Case
    from gdportal.notifications.models import OutboundEmail
    from tests.atende.conftest import make_case

    base = live_server.url
    User = get_user_model()
    maria = User.objects.get(email=demo_data.CUSTOMER_EMAIL)
    case = make_case(maria, maria.customer.installations.active().order_by("number").first())
    case = atende_services.case_commercial_approve(
        case=case, by=User.objects.get(username="analista.comercial")
    )

    page.goto(base + "/apr/cadastro/")
    page.set_default_timeout(15000)
    for field, value in [
        ("name", "Beatriz Lima Campos"),
        ("cpf", CPF),
        ("rg", "MG-11.222.333"),
        ("email", "beatriz@rt.dev"),
        ("email_confirmation", "beatriz@rt.dev"),
        ("street", "Rua Goiás"),
        ("street_number", "200"),
        ("district", "Centro"),
        ("cep", "30190-030"),
        ("municipality", "Belo Horizonte"),
        ("council_number", "MG-55555"),
    ]:
        page.fill(f"#id_{field}", value)
    page.select_option("#id_council", "CREA")
    page.select_option("#id_title", "electrical_engineer")
    page.locator("input[name=captcha_1]").fill("PASSED")
    page.get_by_role("button", name="Enviar cadastro").click()
    expect(page.get_by_role("heading", name="Cadastro recebido")).to_be_visible()

    admin_login(page, base, "analista.cadastro")
    page.goto(base + "/admin/aprweb/rtregistration/")
    page.get_by_role("link", name="Beatriz Lima Campos").click()
    page.get_by_role("button", name="Aprovar cadastro").click()
    expect(page.locator(".messagelist")).to_contain_text("aprovado")

    link = re.search(
        r"(/apr/senha/\S+/)", OutboundEmail.objects.get(template="rt_apr_password_link").body_text
    )[1]
    page.context.clear_cookies()
    page.goto(base + link)
    page.fill("#id_password1", "Senha-APR-Beatriz-26")
    page.fill("#id_password2", "Senha-APR-Beatriz-26")
    page.get_by_role("button", name="Salvar senha").click()
    page.fill("#id_username", CPF)
    page.fill("#id_password", "Senha-APR-Beatriz-26")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Consulta de pedidos")).to_be_visible()

    page.get_by_role("link", name="Cadastrar pedido").click()
    page.fill("#id_protocol", case.protocol)
    page.select_option("#id_person_type", "PF")
    page.fill("#id_document", maria.customer.document_display)
    # The customer filed the request: the RT takes it with the claim code the customer handed over.
    page.fill("#id_claim_code", case.claim_code_display)
    page.get_by_role("button", name="Buscar").click()
    page.fill("#id_art_number", "MG20260001")
    page.fill("#id_expected_connection", "2027-02-01")
    page.select_option("#id_plant_format", "A3")
    page.get_by_role("button", name="Cadastrar pedido").click()
    expect(page.get_by_test_id("checklist")).to_be_visible()

    document = tmp_path / "documento.pdf"
    document.write_bytes(pdf_bytes())
    rows = page.locator("[data-kind]")
    for index in range(rows.count()):
        row = page.locator("[data-kind]").nth(index)
        row.locator("input[type=file]").set_input_files(str(document))
        row.get_by_role("button", name="Anexar").click()
        expect(page.locator("[data-kind]").nth(index)).to_contain_text("documento.pdf")
    expect(page.get_by_test_id("checklist")).to_contain_text("Todos os documentos exigidos estão anexados")
    # The plant as data (SPEC §16; its own page is driven by tests/e2e/test_generation_step.py).
    from tests import factories

    factories.fill_generation(Case.objects.get(pk=case.pk), User.objects.get(cpf="98765432100"))
    page.get_by_role("button", name="Enviar para análise").click()
    expect(page.get_by_test_id("situation")).to_have_text("Em análise")

    def review(decision, pending_kind=None):
        """One form: a verdict per document (the ART wrong, if asked), the decision, one submit."""
        page.goto(base + f"/admin/aprweb/technicalqueue/{case.pk}/change/")
        verdicts = page.locator("fieldset.review-verdict")
        for index in range(verdicts.count()):
            fieldset = verdicts.nth(index)
            # By the verdict's own legend: the row's automatic hints may name other kinds ("the same file
            # was also sent as ART/TRT").
            bad = pending_kind is not None and pending_kind in fieldset.locator("legend").inner_text()
            fieldset.locator(f"input[value={'nonconforming' if bad else 'conforming'}]").check()
            if bad:
                fieldset.locator("input[type=text]").fill("ART sem comprovante de pagamento")
        page.get_by_label(decision, exact=True).check()
        page.get_by_role("button", name="Salvar a análise").click()

    admin_login(page, base, "analista.tecnico")
    # The document opens beside the checklist, in the page's own frame.
    page.goto(base + f"/admin/aprweb/technicalqueue/{case.pk}/change/")
    expect(page.locator("iframe[name=doc-viewer]")).to_be_visible()
    review("Suspender com as pendências", pending_kind="ART/TRT")
    expect(page.locator(".messagelist")).to_contain_text("suspenso")

    page.context.clear_cookies()
    page.goto(base + "/apr/")
    page.fill("#id_username", CPF)
    page.fill("#id_password", "Senha-APR-Beatriz-26")
    page.get_by_role("button", name="Entrar").click()
    page.get_by_role("link", name=case.protocol).click()
    expect(page.get_by_role("alert")).to_contain_text("ART sem comprovante de pagamento")
    # Not complete while the ART waits for its new version: the resend button waits too.
    expect(page.get_by_test_id("checklist")).not_to_contain_text(
        "Todos os documentos exigidos estão anexados"
    )
    expect(page.get_by_role("button", name="Reenviar para análise")).to_be_disabled()
    corrected = tmp_path / "art-corrigida.pdf"  # different bytes: the same file again would be refused
    corrected.write_bytes(pdf_bytes(2))
    art = page.locator("[data-kind=art]")
    art.locator("input[type=file]").set_input_files(str(corrected))
    art.get_by_role("button", name="Anexar").click()
    expect(page.locator("[data-kind=art]")).to_contain_text("Histórico (1)")
    page.get_by_role("button", name="Reenviar para análise").click()
    expect(page.get_by_test_id("situation")).to_have_text("Em análise")

    admin_login(page, base, "analista.tecnico")
    review("Aprovar")
    expect(page.locator(".messagelist")).to_contain_text("Projeto aprovado")

    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail").fill(demo_data.CUSTOMER_EMAIL)
    page.get_by_label("Senha").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.goto(base + f"/atende/servicos/{case.protocol}/")
    expect(page.get_by_test_id("state")).to_have_text("Aprovada — parecer de acesso em elaboração")
    assert Case.objects.get(pk=case.pk).state == "approved"
