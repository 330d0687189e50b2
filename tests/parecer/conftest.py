"""Stage 3's cast: cases walked through the real services up to the approval, and the inspector."""

import pytest

from gdportal.accounts import roles
from tests import factories

# The rest of the cast (customer, rt, analysts, outsider) comes from tests/conftest.py; the APR fixtures are
# reused from stage 2's conftest.
from tests.aprweb.conftest import attach_all, build_order, rt_registration  # noqa: F401
from tests.atende.conftest import make_case


@pytest.fixture
def inspector(db):
    return factories.StaffFactory(username="vistoriador", role=roles.INSPECTOR)


def approve(case, analyst, *, grid_works_needed=False):
    """Judge every technical document conforming and approve, as the analyst's review form does."""
    from aprweb.services_technical import case_technical_approve, version_verdict
    from gdportal.cases.documents import latest_versions

    for version in latest_versions(case).values():
        if version.kind != "identity":
            version_verdict(version=version, by=analyst, verdict="conforming")
    factories.judge_generation(case, analyst)
    return case_technical_approve(case=case, by=analyst, grid_works_needed=grid_works_needed)


def approved_case_for(customer, installation, rt, analyst, **fields):
    """A case filed by the customer, handed to the RT with the claim code, sent in APR Web and approved."""
    from aprweb.services_orders import order_submit
    from gdportal.cases.choices import CaseState

    case = make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL, **fields)
    apr_order = build_order(case, rt)
    attach_all(apr_order, rt)
    order_submit(order=apr_order, by=rt)
    case.refresh_from_db()
    return approve(case, analyst)


@pytest.fixture
def approved_case(customer, installation, rt, rt_registration, technical_analyst):  # noqa: F811
    return approved_case_for(customer, installation, rt, technical_analyst)


PARECER_FIELDS = {
    "voltage": "BT",
    "phases": "single",
    "tariff_group": "B1",
    "connection_point": "Alimentador BHAD-05, transformador 45 kVA n.º 123456",
    "metering": "Medidor bidirecional",
    "protection": "Disjuntor termomagnético e DPS conforme ND 5.30",
}


def issue(case, analyst, *, favourable=True, **fields):
    from parecer.services import parecer_issue

    values = {**PARECER_FIELDS, **fields}
    if not favourable:
        values.setdefault("unfavourable_reason", "Capacidade do transformador esgotada.")
    return parecer_issue(case=case, by=analyst, favourable=favourable, **values)
