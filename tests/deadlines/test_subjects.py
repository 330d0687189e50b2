"""A clock belongs to a subject (issue 9): the engine knows no stage; a case's clocks and an RT
registration's never mix up, even with equal ids; the lapse moves exactly the cases `Case.expire` would."""

import ast
import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django_fsm import can_proceed

from aprweb.services_registration import rt_registration_submit
from gdportal.cases.choices import AWAITING_RT_STATES, CaseState
from gdportal.cases.models import Case
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.services import deadline_close, deadline_start
from gdportal.deadlines.sweep import sweep
from tests import factories
from tests.atende.conftest import make_case

ENGINE = Path(__file__).resolve().parents[2] / "gdportal" / "deadlines"


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def test_the_engine_imports_no_stage_and_not_the_kernel():
    modules = [p for p in ENGINE.rglob("*.py") if "migrations" not in p.parts]
    assert len(modules) > 10
    found = {
        (p.name, name)
        for p in modules
        for name in _imports(p)
        if name.split(".")[0] in ("atende", "aprweb", "compensation") or name.startswith("gdportal.cases")
    }
    assert found == set()


@pytest.mark.django_db
def test_a_registration_and_a_case_with_the_same_id_keep_their_own_clocks(customer, installation):
    case = make_case(customer, installation)  # its commercial clock is open
    registration = rt_registration_submit(registration=factories.RTRegistrationFactory.build(pk=case.pk))
    assert registration.pk == case.pk
    assert list(case.deadlines.values_list("kind", flat=True)) == ["commercial_sla"]
    assert list(registration.deadlines.values_list("kind", flat=True)) == ["rt_registration_review"]

    assert deadline_close(subject=registration) == 1
    assert case.deadlines.get().state == Deadline.State.OPEN
    # The same kind may be open once per subject, whatever the other subjects with that id hold.
    deadline_start(subject=registration, kind="rt_registration_review")
    assert Deadline.objects.filter(case=case).count() == 1
    assert Deadline.objects.filter(rt_registration=registration).count() == 2


def test_the_lapse_and_case_expire_share_one_list_of_states():
    sources = {
        t.source for t in Case._meta.get_field("state").get_all_transitions(Case) if t.name == "expire"
    }
    assert sources == set(AWAITING_RT_STATES)


@pytest.mark.django_db
def test_the_sweep_expires_a_case_exactly_when_case_expire_may(customer, installation):
    """Whatever state a case is in when its enforcing clock lapses, the set-based lapse does what the
    transition allows: expired from a state awaiting the RT, left alone from any other."""
    start = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        cases = {}
        for state in CaseState.values:
            case = make_case(customer, installation, state=CaseState.DRAFT)
            Case.objects.filter(pk=case.pk).update(state=state)
            deadline_start(subject=case, kind="apr_register")
            cases[state] = case
    with time_machine.travel(start + dt.timedelta(days=2), tick=False):
        sweep()
    for state, case in cases.items():
        may_expire = can_proceed(Case(state=state).expire)
        case.refresh_from_db()
        assert case.state == (CaseState.EXPIRED if may_expire else state), state
        assert case.events.filter(action="expired").count() == int(may_expire), state
        assert case.deadlines.get().state == Deadline.State.LAPSED, state
