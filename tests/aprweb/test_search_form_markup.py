"""The order search's filters as a person with a screen reader meets them (issue 15 rendered them in Python,
gdportal/web/templatetags/filter_fields.py): each field named by its label, the choice made kept selected, the
typed text kept and escaped, the date's hint tied to its field, each error below its field and marked."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def search(client, **params):
    response = client.get(reverse("aprweb:orders"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_every_filter_is_named_by_its_label(apr_client):
    html = search(apr_client)
    for ident, label in [
        ("id_ns", "Nº da NS"),
        ("id_situation", "Situação"),
        ("id_sent_from", "Enviado de"),
        ("id_sort", "Ordenar por"),
    ]:
        assert f'<label class="form-label" for="{ident}">{label}</label>' in html
        assert f'id="{ident}"' in html


def test_the_choice_and_the_text_typed_come_back_as_typed(apr_client):
    html = search(apr_client, situation="technical_review", sort="protocol", customer_name='<b>"Zé"&')
    situation = re.search(r'<select[^>]*name="situation".*?</select>', html, re.S).group(0)
    assert re.findall(r"<option[^>]* selected>([^<]*)<", situation) == ["Em análise"]
    assert '<option value="">Qualquer</option>' in situation
    assert 'value="&lt;b&gt;&quot;Zé&quot;&amp;"' in html and '<b>"Zé"' not in html


def test_a_date_hint_is_read_with_its_field(apr_client):
    html = search(apr_client)
    field = re.search(r'<input[^>]*id="id_sent_from"[^>]*>', html).group(0)
    assert 'aria-describedby="id_sent_from_helptext"' in field and 'inputmode="numeric"' in field
    assert re.search(r'<div class="form-text" id="id_sent_from_helptext">[^<]*dd/mm/aaaa', html)


def test_an_error_is_shown_below_its_field_and_marks_it(apr_client):
    html = search(apr_client, sent_from="31/12/2026", sent_to="01/01/2026")
    field = re.search(r'<input[^>]*id="id_sent_to"[^>]*>', html).group(0)
    assert 'class="form-control is-invalid"' in field
    assert re.search(
        r'id="id_sent_to"[^>]*>\s*<div class="form-text"[^>]*>[^<]*</div>\s*<div class="invalid-feedback',
        html,
    )
    assert 'class="form-control is-invalid"' not in re.search(
        r'<input[^>]*id="id_sent_from"[^>]*>', html
    ).group(0)
