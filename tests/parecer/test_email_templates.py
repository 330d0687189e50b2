"""Every stage-3 e-mail renders (subject, text, HTML) with the context its service passes, in pt-BR, and
carries its key fact: the services queue them at decision time, so a broken template fails the decision."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from gdportal.cases.guarantee import Guarantee
from gdportal.notifications.services import _render
from parecer.models import Inspection, Parecer
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db

VALID_UNTIL = dt.date(2026, 9, 15)
DUE_AT = timezone.make_aware(dt.datetime(2026, 8, 20, 12, 0))
VISIT = dt.date(2026, 7, 3)
CONNECTED = dt.date(2026, 7, 10)
GFC_EXPIRES = dt.date(2026, 11, 30)


@pytest.fixture
def objects(customer, installation):
    case = make_case(customer, installation)
    parecer = Parecer(
        case=case,
        favourable=True,
        unfavourable_reason="Transformer overloaded at the connection point",
        verification_code="ABCDEFGHJKMN",
        document_id=4321,
        valid_until=VALID_UNTIL,
        financial_participation=Decimal("0"),
        works_needed=True,
        works_description="Extension of the low-voltage line",
        works_deadline_days=60,
    )
    inspection = Inspection(
        case=case,
        parecer=parecer,
        scheduled_for=VISIT,
        period="morning",
        connected_on=CONNECTED,
        meter_number="MTR-998877",
        report="Grounding of the inverter missing\nWarning label absent",
    )
    guarantee = Guarantee(
        case=case, expires_on=GFC_EXPIRES, releasable_reason="Case cancelled before connection"
    )
    return SimpleNamespace(
        case=case,
        parecer=parecer,
        inspection=inspection,
        guarantee=guarantee,
        deadline=SimpleNamespace(due_at=DUE_AT),
    )


# template → (context keys beyond `case`, extra values, facts the text and the HTML must hold)
CASES = {
    "parecer_issued": (
        ["parecer"],
        {},
        ["15/09/2026", "ABCD-EFGH-JKMN", "/verificar/ABCDEFGHJKMN/", "/4321/"],
    ),
    "parecer_unfavourable": (["parecer"], {}, ["Transformer overloaded", "/4321/"]),
    "parecer_accepted": (["parecer"], {"tacitly": True}, ["Vistoria"]),
    "parecer_expiring": (["deadline"], {}, ["20/08/2026"]),
    "parecer_expired": (["parecer"], {}, []),
    "parecer_cancelled": (["parecer"], {"reason": "Requested by the holder"}, ["Requested by the holder"]),
    "parecer_clock_paused": ([], {"reason": "Consultation to ONS"}, ["Consultation to ONS", "64"]),
    "inspection_requested": (["inspection"], {}, ["5", "10"]),
    "inspection_scheduled": (["inspection"], {"rescheduled": False}, ["03/07/2026"]),
    "inspection_passed": (["inspection"], {}, ["10/07/2026", "MTR-998877"]),
    "inspection_failed": (
        ["inspection"],
        {},
        ["Grounding of the inverter missing", "Warning label absent", "120"],
    ),
    "inspection_again_reminder": (["deadline"], {}, ["20/08/2026", "120"]),
    "inspection_lapsed": ([], {}, ["120"]),
    "gfc_expiring": (["deadline"], {}, ["30/11/2026"]),
    "gfc_releasable": (["guarantee"], {}, ["Case cancelled before connection"]),
}


def render(template, objects, keys, extra):
    context = {"case": objects.case, **{key: getattr(objects, key) for key in keys}, **extra}
    with translation.override("pt-br"):
        return _render(template, context)


def assert_rendered(subject, text, html, case, facts):
    assert subject.strip() and case.protocol in subject
    for body in (text, html):
        assert case.protocol in body
        for fact in facts:
            assert fact in body, fact
        assert "{{" not in body and "{%" not in body and "{#" not in body
    assert "{" not in subject


@pytest.mark.parametrize("template", sorted(CASES))
def test_renders_with_its_key_facts(template, objects):
    keys, extra, facts = CASES[template]
    if template == "gfc_expiring":
        objects.case.guarantee = objects.guarantee
    assert_rendered(*render(template, objects, keys, extra), objects.case, facts)


def test_issued_with_financial_participation_shows_amount(objects):
    objects.parecer.financial_participation = Decimal("12345.60")
    objects.parecer.works_needed = False
    subject, text, html = render("parecer_issued", objects, ["parecer"], {})
    assert_rendered(subject, text, html, objects.case, ["R$ 12.345,60"])
    assert "Extension of the low-voltage line" not in text


def test_scheduled_and_rescheduled_subjects_differ(objects):
    first = render("inspection_scheduled", objects, ["inspection"], {"rescheduled": False})
    again = render("inspection_scheduled", objects, ["inspection"], {"rescheduled": True})
    assert first[0] != again[0] and first[1] != again[1]


def test_text_is_plain_and_html_escaped(objects):
    objects.parecer.unfavourable_reason = "Load <b>too high</b> & more"
    subject, text, html = render("parecer_unfavourable", objects, ["parecer"], {})
    assert "Load <b>too high</b> & more" in text
    assert "Load &lt;b&gt;too high&lt;/b&gt; &amp; more" in html
