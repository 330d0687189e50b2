"""Issue 10, item 7: nobody reads an internal code. A case is walked into every state it can reach today and
each page that shows it — the customer's and the RT's status page, the public tracking page, the RT's order
page, the admin's case page, the technical review page and the deadlines board — must show labels, never
`apr_order_registered`, `technical_review` or `identity`. So must the e-mails the walk sent."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aprweb.services_orders import order_submit
from aprweb.services_reanalysis import case_reanalysis_request
from aprweb.services_technical import (
    case_technical_approve,
    case_technical_reject,
    case_technical_suspend,
    version_verdict,
)
from atende import services as atende
from gdportal.cases.choices import CaseKind, CaseState, EventAction
from gdportal.cases.lapse import expire_cases
from gdportal.cases.models import CaseEvent
from gdportal.notifications.models import OutboundEmail
from tests import factories
from tests.aprweb.conftest import attach, build_order
from tests.atende.conftest import make_case
from tests.files import pdf_bytes
from tests.visible_text import internal_codes, visible_text

pytestmark = pytest.mark.django_db


def _judge(case, analyst, bad_kind=None):
    from gdportal.cases.documents import latest_versions

    for version in latest_versions(case).values():
        if version.kind == "identity":
            continue
        bad = version.kind == bad_kind
        version_verdict(
            version=version,
            by=analyst,
            verdict="nonconforming" if bad else "conforming",
            note="ART sem pagamento" if bad else "",
        )


def _attach_all(order, rt):
    """Every required file, named as a person would name it (an underscore in a file name is the user's)."""
    from aprweb.selectors import missing_kinds

    order.case.refresh_from_db()
    if not hasattr(order.case, "generation"):
        factories.fill_generation(order.case, rt)
    for kind in missing_kinds(order.case, order):
        attach(order, kind, rt, name=kind.replace("_", "-") + ".pdf")


class Walk:
    """Moves a case through the real services, as the people of the story would."""

    def __init__(self, customer, installation, rt, commercial, technical):
        self.customer, self.installation, self.rt = customer, installation, rt
        self.commercial, self.technical = commercial, technical
        factories.RTRegistrationFactory(cpf=rt.cpf, email=rt.email, status="approved", user=rt)

    def filed(self, **fields):
        return make_case(self.customer, self.installation, **fields), None

    def awaiting(self):
        return make_case(self.customer, self.installation, state=CaseState.AWAITING_TECHNICAL)

    def ordered(self):
        case = self.awaiting()
        return case, build_order(case, self.rt)

    def under_review(self):
        case, order = self.ordered()
        _attach_all(order, self.rt)
        order_submit(order=order, by=self.rt)
        return order.case, order

    def suspended(self):
        case, order = self.under_review()
        _judge(case, self.technical, bad_kind="art")
        case_technical_suspend(case=case, by=self.technical, note="Corrigir a ART")
        return case, order

    def resubmitted(self):
        case, order = self.suspended()
        attach(order, "art", self.rt, name="art-corrigida.pdf", content=pdf_bytes(2))
        order_submit(order=order, by=self.rt)
        return case, order

    def rejected(self):
        case, order = self.under_review()
        case_technical_reject(case=case, by=self.technical, reason="Projeto incompatível com a ND 5.30")
        return case, order

    def reanalysed(self):
        case, order = self.rejected()
        case.refresh_from_db()
        case_reanalysis_request(case=case, by=self.customer, rejected_ns=case.ns)
        return case, order

    def approved(self):
        case, order = self.under_review()
        _judge(case, self.technical)
        factories.judge_generation(case, self.technical)
        case_technical_approve(case=case, by=self.technical)
        return case, order

    def expired(self):
        case = self.awaiting()
        with transaction.atomic():
            expire_cases([{"subject_id": case.pk, "kind": "apr_submit"}], timezone.now())
        return case, None

    def revoked(self):
        case, order = self.ordered()
        atende.case_rt_revoke(case=case, by=self.customer)
        return case, order


SCENARIOS = {
    "submitted": lambda w: w.filed(),
    "commercial_rejected": lambda w: (
        atende.case_commercial_reject(case=w.filed()[0], by=w.commercial, reason="Unidade com débitos"),
        None,
    ),
    "consultation_answered": lambda w: (
        atende.consultation_answer(
            case=w.filed(kind=CaseKind.CONSULTATION)[0], by=w.commercial, answer="Orçamento estimado"
        ),
        None,
    ),
    "cancelled": lambda w: (atende.case_cancel(case=w.filed()[0], by=w.customer, reason="Desisti"), None),
    "order_registered": Walk.ordered,
    "technical_review": Walk.under_review,
    "pending_correction": Walk.suspended,
    "resubmitted": Walk.resubmitted,
    "technical_rejected": Walk.rejected,
    "reanalysis": Walk.reanalysed,
    "approved": Walk.approved,
    "expired": Walk.expired,
    "rt_revoked": Walk.revoked,
}


def _assert_readable(label, response):
    assert response.status_code == 200, (label, response.status_code)
    codes = internal_codes(response.content.decode())
    assert not codes, f"{label}: {codes}"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_page_of_a_case_speaks_portuguese_not_codes(
    scenario, customer, installation, rt, commercial_analyst, technical_analyst
):
    walk = Walk(customer, installation, rt, commercial_analyst, technical_analyst)
    case, order = SCENARIOS[scenario](walk)
    case.refresh_from_db()

    people = Client()
    people.force_login(customer)
    status = people.get(reverse("atende:status_detail", args=[case.protocol]))
    _assert_readable("customer's status page", status)
    # An event without a new state (an order registered, an RT removed) is named on the timeline by its label.
    timeline = visible_text(status.content.decode())
    for event in case.events.filter(to_state=""):
        assert str(event.get_action_display()) in timeline
    _assert_readable("customer's case list", people.get(reverse("atende:status")))

    public = Client().post(
        reverse("tracking:public_lookup"), {"protocol": case.protocol, "document": case.document}
    )
    _assert_readable("public tracking page", public)
    assert case.get_state_display() in visible_text(public.content.decode())

    if order is not None and scenario != "rt_revoked":
        assert case.rt_id == rt.pk
        apr_browser = Client()
        assert (
            apr_browser.post(
                "/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD}
            ).status_code
            == 302
        )
        _assert_readable("RT's order page", apr_browser.get(reverse("aprweb:order", args=[order.pk])))
        _assert_readable("RT's order list", apr_browser.get(reverse("aprweb:orders")))
        _assert_readable(
            "RT's status page", apr_browser.get(reverse("atende:status_detail", args=[case.protocol]))
        )

    admin = Client()
    admin.force_login(factories.StaffFactory(is_superuser=True, username="admin"))
    _assert_readable("admin case page", admin.get(reverse("admin:cases_case_change", args=[case.pk])))
    _assert_readable("admin case list", admin.get(reverse("admin:cases_case_changelist")))
    if case.state == CaseState.TECHNICAL_REVIEW:
        technical = Client()
        technical.force_login(technical_analyst)
        _assert_readable(
            "technical review page",
            technical.get(reverse("admin:aprweb_technicalqueue_change", args=[case.pk])),
        )
    _assert_readable("deadlines board", admin.get(reverse("sla_board")))

    for email in OutboundEmail.objects.exclude(body_html=""):
        assert internal_codes(email.body_html) == [], email.template
        assert internal_codes(email.subject) == [], email.template


def test_every_action_the_services_write_has_a_label(
    customer, installation, rt, commercial_analyst, technical_analyst
):
    """A new action spelt only in a service would reach the screen raw: case_event refuses it."""
    from gdportal.cases.services import case_event

    case = make_case(customer, installation)
    with pytest.raises(ValueError):
        case_event(case, by=customer, action="something_new")
    assert {label for label in EventAction.labels if "_" in str(label)} == set()
    assert CaseEvent(action=EventAction.APR_ORDER_REGISTERED).get_action_display() != "apr_order_registered"


def test_rt_registration_list_names_the_cpf_column(client, rt):
    factories.RTRegistrationFactory(cpf=rt.cpf, email=rt.email)
    client.force_login(factories.StaffFactory(is_superuser=True, username="admin"))
    html = client.get(reverse("admin:aprweb_rtregistration_changelist")).content.decode()
    text = visible_text(html)
    assert "CPF MASKED" not in text.upper() and internal_codes(html) == []
    assert rt.cpf not in text  # masked in the list
