"""Issue 10 item 13: forms a phone user can fill — the right keyboard, autofill of personal data, dates as
dd/mm/aaaa whatever the browser's language, and errors that say which field and lead to it."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

from gdportal.formfields import BRDateField

pytestmark = pytest.mark.django_db


class Inputs(HTMLParser):
    """Every <input>/<select>/<textarea> with an id, in page order, with its attributes."""

    def __init__(self, html):
        super().__init__()
        self.by_id, self.order = {}, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("id"):
            self.by_id[attrs["id"]] = attrs
            self.order.append(attrs["id"])


def inputs(response):
    return Inputs(response.content.decode()).by_id


def title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]


def summary_links(response):
    html = response.content.decode()
    box = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'href="#([^"]+)"', box)


# --- keyboards and autofill ---


def test_the_request_form_asks_for_the_right_keyboard_and_autofill(client, customer, installation):
    client.force_login(customer)
    fields = inputs(client.get(reverse("atende:new", args=[installation.number])))
    expected = {
        "id_cep": {"inputmode": "numeric", "autocomplete": "postal-code", "data-mask": "cep"},
        "id_phone": {"type": "tel", "inputmode": "tel", "autocomplete": "tel", "data-mask": "phone"},
        "id_mobile": {"type": "tel", "autocomplete": "mobile tel"},
        "id_requester_phone": {"type": "tel", "autocomplete": "tel"},
        "id_email": {"autocomplete": "email"},
        "id_requester_name": {"autocomplete": "name"},
        "id_requester_email": {"autocomplete": "email"},
        "id_street": {"autocomplete": "address-line1"},
        "id_complement": {"autocomplete": "address-line2"},
        "id_district": {"autocomplete": "address-level3"},
        "id_municipality": {"autocomplete": "address-level2"},
        "id_uf": {"autocomplete": "address-level1"},
        "id_power_kw": {"inputmode": "decimal"},
    }
    for field, attrs in expected.items():
        assert attrs.items() <= fields[field].items(), field


def test_protocol_and_document_fields_of_the_public_tracking(client):
    fields = inputs(client.get("/acompanhamento/"))
    assert {"inputmode": "numeric", "data-mask": "protocol"}.items() <= fields["id_protocol"].items()
    # A CNPJ may have letters from 2026: a text keyboard that starts in capitals.
    document = fields["id_document"]
    assert document["inputmode"] == "text" and document["autocapitalize"] == "characters"


def test_the_rt_registration_has_cpf_keyboard_and_autofill(client):
    fields = inputs(client.get("/apr/cadastro/"))
    assert {"inputmode": "numeric", "data-mask": "cpf"}.items() <= fields["id_cpf"].items()
    assert fields["id_name"]["autocomplete"] == "name"
    assert fields["id_email"]["autocomplete"] == fields["id_email_confirmation"]["autocomplete"] == "email"
    assert fields["id_cep"]["autocomplete"] == "postal-code" and fields["id_cep"]["inputmode"] == "numeric"
    assert fields["id_municipality"]["autocomplete"] == "address-level2"


# --- dates as dd/mm/aaaa ---


def test_dates_are_text_inputs_read_as_dd_mm_yyyy_or_iso():
    class DateForm(forms.Form):
        day = BRDateField()

    assert DateForm({"day": "01/03/2027"}).is_valid()
    assert DateForm({"day": "1/3/2027"}).is_valid()
    form = DateForm({"day": "2027-03-01"})
    assert form.is_valid() and form.cleaned_data["day"] == dt.date(2027, 3, 1)
    refused = DateForm({"day": "31/02/2027"})
    assert not refused.is_valid()
    assert "dd/mm/aaaa" in refused.errors["day"][0]
    html = str(DateForm(initial={"day": dt.date(2027, 3, 1)})["day"])
    assert 'type="text"' in html and 'value="01/03/2027"' in html and 'inputmode="numeric"' in html


# --- the error summary ---


def test_the_error_summary_names_each_field_in_page_order_and_the_title_says_error(
    client, customer, installation
):
    client.force_login(customer)
    # What a browser sends for a form left empty (an empty dict would be an unbound form).
    response = client.post(reverse("atende:new", args=[installation.number]), {"reason": "", "cep": ""})
    html = response.content.decode()
    assert title(response).startswith("Erro: ")
    assert "data-error-summary" in html
    links = summary_links(response)
    page_order = [field for field in Inputs(html).order if field in links]
    assert links == page_order  # the same order as the fields on the page
    assert links[0] == "id_reason" and links[-1] == "id_declaration"
    assert links.index("id_file_identity") < links.index("id_declaration")
    assert "Este campo é obrigatório." not in html
    assert "Preencha o campo “CEP”." in html
    assert "Escolha uma opção em “Motivo da solicitação”." in html


def test_a_login_error_puts_error_in_the_title_and_names_the_empty_field(client):
    response = client.post("/apr/", {"username": "", "password": ""})
    assert title(response).startswith("Erro: ")
    assert "Preencha o campo “CPF”." in response.content.decode()
    assert not title(client.get("/apr/")).startswith("Erro")
