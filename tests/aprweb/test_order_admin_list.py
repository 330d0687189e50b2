"""The analysts' order list (/admin/aprweb/aprorder/) printed in one pass (issue 15, SPEC §11): the same
columns, formats, links, sorting and filters as Django's own rows, user text escaped, a fixed number of
queries, only the shown columns read."""

import pytest
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.urls import reverse
from django.utils import timezone

from aprweb.models import AprOrder
from gdportal.admin_rows import result_rows
from gdportal.cases.choices import CaseState
from tests.admin_list_html import body, headers
from tests.aprweb.conftest import build_order
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db

URL = "/admin/aprweb/aprorder/"


def new_order(customer, installation, rt):
    return build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)


def test_every_row_is_the_cell_django_would_print(
    client, technical_analyst, customer, installation, rt, rt_registration
):
    plain = new_order(customer, installation, rt)
    marked = new_order(customer, installation, rt)
    AprOrder.objects.filter(pk=marked.pk).update(
        customer_name="<i>Ana & Bia</i>", regional="   ", answered_at=timezone.now(), situation="rejected"
    )
    client.force_login(technical_analyst)
    params_tried = ({}, {"situation__exact": "rejected"}, {"o": "-8.1"}, {"q": plain.protocol}, {"p": "1"})
    for params in params_tried:
        response = client.get(URL, params)
        cl = response.context["cl"]
        assert list(cl.result_list), params
        django_rows = ["".join(items_for_result(cl, obj, None)) for obj in cl.result_list]
        assert result_rows(cl) == django_rows, params
        assert all(row in response.content.decode() for row in django_rows)


def test_the_list_shows_the_columns_analysts_use(
    client, technical_analyst, customer, installation, rt, rt_registration
):
    order = new_order(customer, installation, rt)
    client.force_login(technical_analyst)
    html = client.get(URL, {"regional": order.regional}).content.decode()
    assert headers(html) == [
        "Protocolo",
        "Nº da NS",
        "Nome do cliente",
        "Número do cliente",
        "Número da instalação",
        "Regional",
        "Situação",
        "Enviado em",
        "Respondido em",
    ]
    row = body(html)
    change = reverse("admin:aprweb_aprorder_change", args=[order.pk])
    assert f'<a href="{change}?_changelist_filters=regional%3D{order.regional}">{order.protocol}</a>' in row
    assert f'<td class="field-customer_name">{order.customer_name}</td>' in row
    assert f'<td class="field-situation">{order.get_situation_display()}</td>' in row
    assert '<td class="field-submitted_at nowrap">-</td>' in row  # registered, not sent yet
    assert '<th scope="col" class="sortable column-customer_name">' in html
    assert "situation__exact=technical_review" in html and "submitted_at__gte=" in html


def test_a_customer_name_with_markup_is_shown_as_text(
    client, technical_analyst, customer, installation, rt, rt_registration
):
    order = new_order(customer, installation, rt)
    AprOrder.objects.filter(pk=order.pk).update(customer_name="<script>alert(1)</script>")
    client.force_login(technical_analyst)
    html = client.get(URL).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body(html) and "<script>alert(1)" not in html


def test_only_the_shown_columns_are_read_and_the_count_stays(
    client, technical_analyst, customer, installation, rt, rt_registration, django_assert_max_num_queries
):
    new_order(customer, installation, rt)
    client.force_login(technical_analyst)
    client.get(URL)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    page = next(q["sql"] for q in few.captured_queries if '"aprweb_aprorder"."customer_name"' in q["sql"])
    assert '"aprweb_aprorder"."observation"' not in page and '"aprweb_aprorder"."phone"' not in page
    for _ in range(3):
        new_order(customer, installation, rt)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(URL).content.decode()
    assert body(html).count("<tr>") == 4
