"""Migrating keeps every clock (issue 9): a database of the previous release — clocks on the case's foreign
key, the registration's deadline in a column — comes out with the same clocks on their subjects, and the
registrations' deadlines as clocks. And back."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from aprweb.models import RTRegistration
from aprweb.services_registration import rt_registration_reject, rt_registration_submit
from atende import services
from gdportal.brdocs import cpf_with_check_digits
from gdportal.cases.models import Case
from gdportal.deadlines.models import Deadline
from tests import factories
from tests.atende.conftest import make_case

BEFORE = [("deadlines", "0003_alter_deadline_case"), ("aprweb", "0006_technicalqueue_on_kernel_case")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_migrating_the_previous_release_keeps_every_clock(customer, installation, commercial_analyst):
    analyst = factories.StaffFactory(role="Analista de cadastro")
    approved = make_case(customer, installation)
    approved = services.case_commercial_approve(case=approved, by=commercial_analyst)  # met + 2 open
    waiting = make_case(customer, installation)  # 1 open
    rejected = rt_registration_submit(
        registration=factories.RTRegistrationFactory.build(cpf=cpf_with_check_digits("300000001"))
    )
    rt_registration_reject(registration=rejected, by=analyst, reason="CREA não confere")
    pending = rt_registration_submit(
        registration=factories.RTRegistrationFactory.build(cpf=cpf_with_check_digits("300000002"))
    )
    case_clocks = sorted(
        Deadline.objects.of_model(Case).values_list("subject_id", "kind", "state", "due_at", "overdue_at")
    )
    assert len(case_clocks) == 4
    due = {r.pk: r.review_due_at for r in (rejected, pending)}

    try:
        old = migrate(BEFORE)
        # The previous release: the clocks are the cases', the registrations keep their due date.
        OldDeadline, OldRegistration = (
            old.get_model("deadlines", "Deadline"),
            old.get_model("aprweb", "RTRegistration"),
        )
        assert (
            sorted(OldDeadline.objects.values_list("case_id", "kind", "state", "due_at", "overdue_at"))
            == case_clocks
        )
        assert dict(OldRegistration.objects.values_list("pk", "review_due_at")) == due
        # …where rows are added the old way, as the release being replaced would have.
        late = OldRegistration.objects.create(
            name="Técnico antigo",
            cpf=cpf_with_check_digits("300000003"),
            rg="MG-2",
            email="antigo@rt.dev",
            street="Rua B",
            street_number="2",
            district="Centro",
            cep="30160011",
            municipality="Belo Horizonte",
            council="CREA",
            council_number="MG-2",
            title="electrical_engineer",
            review_due_at=dt.datetime(2026, 11, 19, 23, 59, 59, tzinfo=dt.UTC),
        )
        OldDeadline.objects.create(
            case_id=waiting.pk,
            kind="consultation_answer",
            started_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            due_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
            state="cancelled",
        )
    finally:
        migrate(leaves())

    assert Deadline.objects.of_model(Case).count() == 5
    assert (
        sorted(
            Deadline.objects.of_model(Case)
            .exclude(kind="consultation_answer")
            .values_list("subject_id", "kind", "state", "due_at", "overdue_at")
        )
        == case_clocks
    )
    assert waiting.deadlines.filter(kind="consultation_answer", state="cancelled").exists()
    assert set(approved.deadlines.open().values_list("kind", flat=True)) == {"apr_register", "apr_submit"}
    # Each registration's deadline is now its clock: open while pending, met once decided.
    clocks = {c.subject_id: c for c in Deadline.objects.of_model(RTRegistration)}
    assert set(clocks) == {rejected.pk, pending.pk, late.pk}
    assert (clocks[pending.pk].state, clocks[pending.pk].due_at) == ("open", due[pending.pk])
    assert (clocks[rejected.pk].state, clocks[rejected.pk].due_at) == ("met", due[rejected.pk])
    assert clocks[late.pk].state == "open" and RTRegistration.objects.get(pk=late.pk).review_due_at == (
        dt.datetime(2026, 11, 19, 23, 59, 59, tzinfo=dt.UTC)
    )
    # One open clock per kind and subject still holds.
    with pytest.raises(IntegrityError):
        Deadline.objects.create(
            subject=pending,
            kind="rt_registration_review",
            started_at=clocks[pending.pk].started_at,
            due_at=clocks[pending.pk].due_at,
        )
