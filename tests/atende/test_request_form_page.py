"""What the request form tells a new customer before they send it (issue 10, item 14)."""

import re

import pytest
from django.urls import reverse

from gdportal.cases.rules import power_error, reason_for_power
from tests.atende.conftest import request_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("reason", "power", "says"),
    [
        ("micro_le10", "12", "Para 12 kW escolha “Microgeração com potência maior que 10 kW”."),
        ("mini", "8,5", "Para 8,5 kW escolha “Microgeração com potência menor ou igual a 10 kW”."),
        ("micro_gt10", "1.200", "Para 1.200 kW escolha “Minigeração”."),
    ],
)
def test_a_power_that_does_not_fit_the_motivo_says_which_one_fits(
    client, customer, installation, identity_pdf, reason, power, says
):
    client.force_login(customer)
    response = client.post(
        reverse("atende:new", args=[installation.number]),
        {
            **request_data(reason=reason, power_kw=power, source="hydro", modality="shared"),
            "file_identity": identity_pdf,
        },
    )
    assert response.status_code == 400
    assert says in response.content.decode()


def test_above_five_megawatts_no_motivo_fits_and_none_is_suggested():
    from decimal import Decimal

    assert reason_for_power(Decimal("5000.01")) is None
    message = str(power_error(Decimal("5000.01"), "mini", "hydro"))
    assert "no máximo 5.000 kW" in message and "escolha" not in message


def test_the_state_is_shown_read_only_and_still_checked(client, customer, installation, identity_pdf):
    client.force_login(customer)
    html = client.get(reverse("atende:new", args=[installation.number])).content.decode()
    uf = re.search(r"<input[^>]*name=\"uf\"[^>]*>", html)[0]
    assert "readonly" in uf and 'value="MG"' in uf
    column = re.search(r'data-testid="uf-column"', html)
    assert column and 'class="col-md-4" data-testid="uf-column"' in html  # not the old col-md-1
    posted = client.post(
        reverse("atende:new", args=[installation.number]),
        {**request_data(uf="SP"), "file_identity": identity_pdf},
    )
    assert posted.status_code == 400 and "somente Minas Gerais" in posted.content.decode()


def test_without_javascript_the_guarantee_block_is_there_and_says_when_it_applies(
    client, customer, installation
):
    client.force_login(customer)
    html = client.get(reverse("atende:new", args=[installation.number])).content.decode()
    block = re.search(r"<fieldset[^>]*data-gfc-block[^>]*>", html)[0]
    assert "hidden" not in block  # only the script hides it
    assert "Exigida para minigeração acima de 500 kW" in html and "deixe em branco" in html
    form = re.search(r"<form[^>]*data-testid=\"request-form\"[^>]*>", html, re.S)[0]
    assert 'data-power-limits="micro_le10:0:10 micro_gt10:10:75 mini:75:5000"' in form
    assert 'data-gfc-threshold="500"' in form and 'data-gfc-exempt="emuc shared"' in form
