"""The analysts' case list (/admin/cases/case/) printed in one pass (issue 15, SPEC §11): the same columns,
formats, links, sorting and filters as Django's own rows, user text escaped, a fixed number of queries."""

import re

import pytest
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.urls import reverse
from django.utils import timezone

from atende.admin import CaseAdmin
from gdportal.admin_rows import result_rows
from gdportal.cases.models import Case
from tests import factories
from tests.admin_list_html import body, headers
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db

URL = "/admin/cases/case/"


def sidebar_links(html):
    nav = html[html.index('id="nav-sidebar"') : html.index("</nav>", html.index('id="nav-sidebar"'))]
    return set(re.findall(r'href="([^"]+)"', nav))


@pytest.fixture
def superuser(db):
    return factories.StaffFactory(is_superuser=True, username="admin")


def test_every_row_is_the_cell_django_would_print(client, superuser, customer, installation):
    plain = make_case(customer, installation)
    marked = make_case(customer, installation)
    Case.objects.filter(pk=marked.pk).update(holder_name='<b>Zé & "Filhos"</b>', ns=None, power_kw="75.25")
    make_case(customer, installation, kind="consultation")
    client.force_login(superuser)
    for params in ({}, {"state__exact": "submitted"}, {"o": "-5.1"}, {"q": plain.protocol}):
        response = client.get(URL, params)
        cl = response.context["cl"]
        assert list(cl.result_list), params
        django_rows = ["".join(items_for_result(cl, obj, None)) for obj in cl.result_list]
        assert result_rows(cl) == django_rows, params
        assert all(row in response.content.decode() for row in django_rows)


def test_the_list_shows_the_columns_analysts_use(client, commercial_analyst, customer, installation):
    case = make_case(customer, installation)
    client.force_login(commercial_analyst)
    html = client.get(URL, {"state__exact": "submitted"}).content.decode()
    assert headers(html) == [
        "Protocolo",
        "Titular da UC",
        "Serviço",
        "Motivo da solicitação",
        "Potência instalada (kW)",
        "Estado",
        "Nota de serviço (NS)",
        "Protocolada em",
    ]
    row = body(html)
    change = reverse("admin:cases_case_change", args=[case.pk])
    # The protocol links to the case, keeping the list's filters for the way back.
    assert f'<a href="{change}?_changelist_filters=state__exact%3Dsubmitted">{case.protocol}</a>' in row
    filed = timezone.localtime(case.submitted_at).strftime("%d/%m/%Y %H:%M")
    assert f'<td class="field-submitted_at nowrap">{filed}</td>' in row
    assert '<td class="field-power_kw">8,50</td>' in row
    assert '<td class="field-ns">-</td>' in row  # no NS yet
    assert f'<td class="field-state">{case.get_state_display()}</td>' in row
    # Sortable by each column; the filters keep their choices.
    assert '<th scope="col" class="sortable column-holder_name">' in html
    assert 'id="changelist-filter"' in html and "state__exact=technical_review" in html


def test_a_holder_name_with_markup_is_shown_as_text(client, commercial_analyst, customer, installation):
    case = make_case(customer, installation)
    Case.objects.filter(pk=case.pk).update(holder_name='<script>alert("x")</script>')
    client.force_login(commercial_analyst)
    html = client.get(URL).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body(html)
    assert '<script>alert("x")' not in html


def test_the_query_count_does_not_grow_with_the_rows(
    client, commercial_analyst, customer, installation, django_assert_max_num_queries
):
    make_case(customer, installation)
    client.force_login(commercial_analyst)
    client.get(URL)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for _ in range(4):
        make_case(customer, installation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(URL).content.decode()
    assert body(html).count("<tr>") == 5


def test_the_filters_follow_the_parameters(client, commercial_analyst, customer, installation):
    make_case(customer, installation)
    client.force_login(commercial_analyst)
    for state in ("submitted", "technical_review", "submitted"):
        html = client.get(URL, {"state__exact": state}).content.decode()
        selected = re.findall(r'<li class="selected">\s*<a href="([^"]*)"', html)
        assert f"?state__exact={state}" in selected, (state, selected)
        assert "Limpar todos os filtros" in html
    assert "Limpar todos os filtros" not in client.get(URL).content.decode()


def test_the_sidebar_lists_what_each_analyst_may_open(client, superuser, commercial_analyst, case):
    client.force_login(superuser)
    everything = sidebar_links(client.get(URL).content.decode())
    client.force_login(commercial_analyst)
    theirs = sidebar_links(client.get(URL).content.decode())
    # The same sidebar Django prints on a page that does not cache it (the commercial queue).
    assert theirs == sidebar_links(
        client.get(reverse("admin:atende_commercialqueue_changelist")).content.decode()
    )
    assert theirs < everything and reverse("admin:auth_group_changelist") not in theirs


def test_a_column_this_does_not_know_is_left_to_django(client, commercial_analyst, case, monkeypatch):
    monkeypatch.setattr(CaseAdmin, "list_display", [*CaseAdmin.list_display, "customer"])
    client.force_login(commercial_analyst)
    response = client.get(URL)
    assert result_rows(response.context["cl"]) is None
    assert f'<td class="field-customer nowrap">{case.customer}</td>' in body(response.content.decode())


def test_with_an_action_the_rows_carry_django_s_checkboxes(client, superuser, case, monkeypatch):
    def mark(modeladmin, request, queryset):
        """An action only this test has: the list then gets its checkboxes and the actions form."""

    monkeypatch.setattr(CaseAdmin, "actions", [mark])
    client.force_login(superuser)
    response = client.get(URL)
    cl = response.context["cl"]
    assert cl.list_display[0] == "action_checkbox"
    django_rows = ["".join(items_for_result(cl, obj, None)) for obj in cl.result_list]
    assert result_rows(cl) == django_rows
    html = response.content.decode()
    assert f'name="_selected_action" value="{case.pk}"' in html and 'name="csrfmiddlewaretoken"' in html
