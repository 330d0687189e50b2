import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from gdportal import demo
from gdportal.registry.models import Customer, Installation

pytestmark = pytest.mark.django_db


def counts():
    User = get_user_model()
    return User.objects.count(), Customer.objects.count(), Installation.objects.count()


def test_seed_demo_creates_the_demo_people_and_is_idempotent():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first

    User = get_user_model()
    maria = User.objects.get(email=demo.CUSTOMER_EMAIL)
    assert maria.customer.document == "52998224725"
    assert not maria.customer.overdue_debts().exists()
    # Three for stage 1's demo (0001 left free), one per stage-3 demo state and the suspended one
    # (demo/journeys.py) and the plant with its two receiving units (demo/compensation.py).
    assert maria.customer.installations.active().count() == 13
    debtor = User.objects.get(email=demo.DEBTOR_EMAIL)
    assert debtor.customer.overdue_debts().exists()
    rt = User.objects.get(cpf="11144477735")
    assert rt.is_rt and rt.check_apr_password(demo.DEMO_PASSWORD) and rt.check_password(demo.DEMO_PASSWORD)
    for username, (_, _, role) in demo.STAFF.items():
        staff = User.objects.get(username=username)
        assert staff.is_staff and not staff.is_superuser
        assert list(staff.groups.values_list("name", flat=True)) == [role]
        assert staff.email == f"{username}@demo.gdportal.dev"
    assert User.objects.get(username="admin").is_superuser


def test_demo_installations_are_inside_minas_gerais():
    call_command("seed_demo")
    for inst in Installation.objects.all():
        assert inst.state == "MG"
        assert -22.95 <= float(inst.latitude) <= -14.2 and -51.1 <= float(inst.longitude) <= -39.8
        assert len(inst.number) == 10 and len(inst.cep) == 8


def test_seed_demo_refuses_without_debug(settings):
    from django.core.management import CommandError

    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_demo_customer_signs_in_and_sees_their_name(client):
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/", {"username": demo.CUSTOMER_EMAIL, "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "Maria Aparecida Souza" in client.get("/").content.decode()


def test_demo_has_cases_in_the_stage_one_states():
    from gdportal.cases.models import Case

    call_command("seed_demo")
    call_command("seed_demo")
    states = set(Case.objects.values_list("state", flat=True))
    assert {
        "submitted",
        "awaiting_technical",
        "commercial_rejected",
        "cancelled",
        "consultation_answered",
    } <= states
    # Stage 1's five, stage 3's six (tests/parecer/test_seed_stage3.py), the suspended one.
    assert Case.objects.count() == 5 + 6 + 1


def test_the_demo_plant_has_14_computed_cycles_and_credits():
    from compensation.models import CreditLot, CycleResult

    call_command("seed_demo")
    for number in ("3000000012", "3000000013", "3000000014"):
        assert CycleResult.objects.filter(installation__number=number).count() == 14, number
    # The two receiving units got 60 % and 40 % of the plant's surplus: credits exist and nothing is negative.
    assert CycleResult.objects.filter(installation__number="3000000013", received_kwh__gt=0).exists()
    assert not CreditLot.objects.filter(remaining_kwh__lt=0).exists()


def test_demo_has_a_case_suspended_with_reasons_from_the_catalogue(client):
    from gdportal.cases.models import Case

    call_command("seed_demo")
    case = Case.objects.get(state="pending_correction", other_info="Demonstração: suspensa com pendências")
    codes = set(case.decision_reasons.decided().values_list("reason__code", flat=True))
    assert codes == {"art-ausente", "memorial-divergente", "potencia-divergente", "coordenadas-100m"}
    client.force_login(get_user_model().objects.get(email=demo.CUSTOMER_EMAIL))
    html = client.get(f"/atende/servicos/{case.protocol}/").content.decode()
    assert "Coordenadas geográficas a mais de 100 m do endereço da unidade consumidora" in html
