"""A choice field reads as its label in the reader's language (gdportal/choicelabels.py, issue 15: the labels
are looked up without translating every other choice on each call)."""

from django.utils import translation

from aprweb.models import AprOrder
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case


def test_a_state_reads_as_its_label_in_each_language():
    case, order = Case(), AprOrder()
    for state in CaseState:
        case.state = order.situation = state.value
        for language in ("pt-br", "en", "pt-br"):  # back and forth: a label is never kept in one language
            with translation.override(language):
                assert case.get_state_display() == order.get_situation_display() == str(state.label)


def test_a_value_outside_the_choices_reads_as_itself():
    assert Case(state="no_such_state").get_state_display() == "no_such_state"
    assert Case(state="").get_state_display() == ""
