from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from gdportal.brdocs import cpf_with_check_digits
from gdportal.registry.models import Customer, Installation

PASSWORD = "Senha-de-teste-2026"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    number = factory.Sequence(lambda n: f"71{n:08d}")
    name = factory.Sequence(lambda n: f"Cliente {n}")
    document = factory.Sequence(lambda n: cpf_with_check_digits(f"{200000000 + n * 7919:09d}"))
    person_type = "PF"
    email = factory.Sequence(lambda n: f"cliente{n}@example.com")
    phone = "31988887777"


class InstallationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Installation

    number = factory.Sequence(lambda n: f"31{n:08d}")
    customer = factory.SubFactory(CustomerFactory)
    status = "active"
    voltage = "BT"
    installation_class = "residential"
    phases = "two"
    street = "Rua da Bahia"
    street_number = "1000"
    district = "Centro"
    municipality = "Belo Horizonte"
    state = "MG"
    cep = "30160011"
    latitude = Decimal("-19.920000")
    longitude = Decimal("-43.940000")
    available_power_kw = Decimal("12.00")
    regional_office = "Metropolitana"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.LazyAttribute(lambda o: o.username if "@" in o.username else f"{o.username}@example.com")
    first_name = "Usuária"
    last_name = "Teste"
    kind = "customer"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()


class RTFactory(UserFactory):
    kind = "rt"
    cpf = factory.Sequence(lambda n: cpf_with_check_digits(f"{300000000 + n * 104729:09d}"))

    @factory.post_generation
    def apr_password(obj, create, extracted, **kwargs):
        obj.set_apr_password(extracted or "Apr-" + PASSWORD)
        if create:
            obj.save()


class StaffFactory(UserFactory):
    kind = "staff"
    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if extracted:
            obj.groups.add(Group.objects.get(name=extracted))


class RTRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "aprweb.RTRegistration"

    name = "Carlos Técnico"
    cpf = "11144477735"
    rg = "MG-1"
    email = factory.Sequence(lambda n: f"registro{n}@rt.dev")
    street = "Rua A"
    street_number = "1"
    district = "Centro"
    cep = "30160011"
    municipality = "Belo Horizonte"
    council = "CREA"
    council_number = "MG-12345"
    title = "electrical_engineer"


def generation_values(case, *, power_kw=None, **overrides):
    """The "Dados técnicos da geração" of `case` as the step takes them (SPEC §16): one inverter row whose AC
    power is the request's (or `power_kw`), modules of about the same kWp, the required declarations, and —
    for remote self-consumption, shared generation and EMUC — one participating unit of the same holder."""
    power = Decimal(str(power_kw if power_kw is not None else case.power_kw))
    modules = int((power * 1000 / Decimal(550)).to_integral_value()) or 1
    values = {
        "generation_type": "inverter",
        "array_area_m2": Decimal("40"),
        "building_type": "individual",
        "breaker_a": 50,
        "breaker_poles": 2,
        "pole_under_30m": True,
        "units_mode": "percent",
        "modules": [{"manufacturer": "Canadian Solar", "model": "CS6W-550MS", "power_w": Decimal(550),
                     "quantity": modules}],
        "inverters": [{"manufacturer": "Growatt", "model": "MIN 8000TL-X", "power_kw": power, "quantity": 1,
                       "voltage_v": 220, "inmetro": "004512/2022"}],
        "generators": [],
        "units": [],
        "declarations": ["8.4", "8.6"],
    }  # fmt: skip
    if case.modality in ("remote", "shared", "emuc"):
        unit = InstallationFactory(customer=case.customer)
        values["units"] = [{"installation": unit.number, "percentage": Decimal(40), "priority": None}]
    values.update(overrides)
    return values


def fill_generation(case, by=None, **overrides):
    """Save the step for `case` through the kernel's service (its rules apply), as the RT does before
    sending the order."""
    from gdportal.generation.services import generation_store

    return generation_store(
        case=case, by=by or case.rt or case.filed_by, values=generation_values(case, **overrides)
    )


def judge_generation(case, by, verdict="conforming", note=""):
    """The analyst's verdict on the generation data step, when the case has one (SPEC §16: judged like a
    document, and approving needs it conforming)."""
    from gdportal.generation.models import GenerationData
    from gdportal.generation.services import generation_verdict

    if GenerationData.objects.filter(case=case).exists():
        generation_verdict(case=case, by=by, verdict=verdict, note=note)
