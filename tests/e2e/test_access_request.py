"""Issue 3's journey in a real browser: the demo customer files, the commercial analyst approves."""

import re

from playwright.sync_api import expect

from gdportal import demo as demo_data
from tests.files import pdf_bytes


def login_atende(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Entrar").click()


def test_customer_files_and_analyst_approves(live_server, page, demo, tmp_path):
    from gdportal.cases.models import Case
    from gdportal.notifications.models import OutboundEmail

    identity = tmp_path / "rg-e-cpf.pdf"
    identity.write_bytes(pdf_bytes())
    base = live_server.url

    login_atende(page, base, demo_data.CUSTOMER_EMAIL)
    page.goto(base + "/atende/")
    page.get_by_label("Procure pelo serviço").fill("MICROGERACAO")
    page.get_by_role("button", name="Buscar").click()
    service = page.get_by_test_id("service-gd")
    expect(service).to_have_class(re.compile("highlight"))
    service.get_by_role("link", name="Abrir serviço").click()
    page.get_by_role("link", name="Solicitar acesso").click()
    page.get_by_role("link", name="Escolher a instalação 3000000001").click()

    page.select_option("#id_reason", "micro_le10")
    page.fill("#id_power_kw", "8,5")
    page.select_option("#id_source", "solar")
    page.select_option("#id_request_type", "without_increase")
    page.select_option("#id_modality", "local")
    page.set_input_files("#id_file_identity", str(identity))
    page.check("#id_declaration")
    page.get_by_role("button", name="Continuar: conferir os dados").click()
    expect(page.get_by_role("heading", name="Confira seus dados")).to_be_visible()
    page.get_by_role("button", name="Enviar solicitação").click()
    protocol = page.get_by_test_id("protocol").inner_text()
    assert re.fullmatch(r"\d{13}", protocol)
    page.get_by_role("button", name="Sair").click()

    page.goto(base + "/admin/login/")
    page.fill("#id_username", "analista.comercial")
    page.fill("#id_password", demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("Acessar|Entrar|Log in")).click()
    page.goto(base + "/admin/atende/commercialqueue/")
    page.get_by_role("link", name=protocol).click()
    page.get_by_role("button", name="Aprovar e emitir a NS").click()
    expect(page.locator(".messagelist")).to_contain_text("nota de serviço")
    page.context.clear_cookies()

    login_atende(page, base, demo_data.CUSTOMER_EMAIL)
    page.goto(base + "/atende/servicos/")
    page.get_by_role("link", name=protocol).click()
    case = Case.objects.get(protocol=protocol)
    expect(page.get_by_test_id("ns")).to_contain_text(case.ns)
    expect(page.get_by_test_id("state")).to_have_text("NS emitida — aguardando documentação técnica")
    expect(page.get_by_test_id("clock").first).to_contain_text(
        "Responsável técnico — cadastrar o pedido no APR Web"
    )
    templates = sorted(
        OutboundEmail.objects.filter(related_object=f"case:{case.pk}").values_list("template", flat=True)
    )
    assert templates == ["case_ns_issued", "case_protocolled"]


def test_a_refused_form_sent_with_progress_comes_back_with_its_messages(live_server, page, demo, tmp_path):
    identity = tmp_path / "rg.pdf"
    identity.write_bytes(pdf_bytes())
    login_atende(page, live_server.url, demo_data.CUSTOMER_EMAIL)
    page.goto(live_server.url + "/atende/gd/solicitar/instalacao/3000000001/")
    page.fill("#id_power_kw", "12")  # too much for micro up to 10 kW …
    page.select_option("#id_reason", "micro_le10")  # … chosen after the power (which had picked another)
    page.select_option("#id_source", "solar")
    page.select_option("#id_request_type", "without_increase")
    page.select_option("#id_modality", "local")
    page.set_input_files("#id_file_identity", str(identity))
    page.check("#id_declaration")
    page.get_by_role("button", name="Continuar: conferir os dados").click()
    expect(page.locator("#error-summary")).to_contain_text("no máximo 10 kW")
    # The file passed the checks: it is kept, shown as attached (issue 10), not to be chosen again.
    expect(page.get_by_test_id("attached-identity")).to_contain_text("rg.pdf")
    expect(page.locator("#id_street")).to_have_value(re.compile(".+"))  # what was typed is still there
