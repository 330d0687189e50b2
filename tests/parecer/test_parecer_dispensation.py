"""The issued parecer of a case dispensed from the flow-inversion analysis says so (SPEC §15, art. 73-A)."""

import io

import pytest
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from gdportal.cases.filing_checks import DISPENSED
from tests.parecer.conftest import approved_case_for, issue

pytestmark = pytest.mark.django_db


def pdf_text(parecer):
    data = default_storage.open(parecer.document.file.name).read()
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_a_fast_track_cases_parecer_says_it_is_dispensed(
    customer, installation, rt, rt_registration, technical_analyst
):
    case = approved_case_for(
        customer, installation, rt, technical_analyst, power_kw="7.5", fast_track_term=True
    )
    with translation.override("pt-br"):
        parecer = issue(case, technical_analyst)
        expected = gettext(str(DISPENSED))
        ground = case.get_flow_dispensation_display()
    text = pdf_text(parecer)
    assert expected in text and ground in text


def test_a_case_analysed_for_flow_inversion_does_not(
    customer, installation, rt, rt_registration, technical_analyst
):
    case = approved_case_for(customer, installation, rt, technical_analyst)
    with translation.override("pt-br"):
        parecer = issue(case, technical_analyst)
        expected = gettext(str(DISPENSED))
    assert expected not in pdf_text(parecer)
