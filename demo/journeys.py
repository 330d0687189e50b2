"""Demo cases for seed_demo: one per state after the technical approval (SPEC §6), each walked there through
the real services of every stage, as the demo people would (never in production).

It lives outside the stages (demo/, listed in settings.GD_DEMO_JOURNEYS) because it imports all of them:
the stages themselves import only the kernel.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from gdportal import demo
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.deadlines import calendar
from gdportal.deadlines.kinds import closed_days
from gdportal.registry.models import InstallationClass, Phases
from parecer import services, services_inspection
from parecer.models import InspectionPeriod

# One access request under way per installation (SPEC §4.2): each state below gets an installation of its own,
# with fixed numbers outside the registry's 30000NNNJJ range so the seed stays idempotent. The first stage's
# demo uses the customer's three lowest numbers (0001, 0002, 0005), which these do not displace.
PLANS = [
    ("Demonstração: aprovada, parecer a emitir", "3000000006", "approved"),
    ("Demonstração: parecer emitido", "3000000007", "issued"),
    ("Demonstração: parecer aceito", "3000000008", "accepted"),
    ("Demonstração: vistoria agendada", "3000000009", "scheduled"),
    ("Demonstração: vistoria reprovada", "3000000010", "failed"),
    ("Demonstração: conectada", "3000000011", "connected"),
]
STEPS = ["approved", "issued", "accepted", "scheduled", "failed", "connected"]

PARECER_FIELDS = {
    "voltage": "BT",
    "tariff_group": "B1",
    "metering": "Medidor bidirecional instalado pela distribuidora",
    "protection": "Disjuntor termomagnético e DPS conforme ND 5.30",
    "customer_works": "Adequar o padrão de entrada ao medidor bidirecional.",
}
FAILED_REPORT = (
    "Placa de advertência “Cuidado — risco de choque elétrico — geração própria” ausente no padrão.\n"
    "Aterramento do inversor sem conexão ao barramento de equipotencialização."
)


def _installations(customer):
    """The customer's extra active installations, with the registry's own helper (an own random sequence
    each, so the registry drawn in gdportal.demo stays as it was)."""
    today = timezone.localdate()
    found = {}
    for index, (_label, number, _step) in enumerate(PLANS):
        found[number] = demo._installation(
            number,
            customer,
            random.Random(int(number)),  # noqa: S311 — deterministic demo data, not security
            today,
            klass=InstallationClass.RESIDENTIAL,
            place=demo.PLACES[index % len(demo.PLACES)],
            phases=Phases.TWO,
            power=Decimal("12.00"),
            consumption=380 + 40 * index,
        )
    return found


def _rt_registration(rt_user, analyst):
    """The demo RT's approved APR registration (SPEC §12: "approved RT"), unless one is already there. The
    account exists already, so the approval service (which creates it) is not the way in."""
    from aprweb.models import Council, RTRegistration, Title

    live = RTRegistration.objects.filter(Q(user=rt_user) | Q(cpf=rt_user.cpf)).exclude(
        status=RTRegistration.Status.REJECTED
    )
    if live.exists():
        return
    RTRegistration.objects.create(
        status=RTRegistration.Status.APPROVED,
        name=rt_user.get_full_name(),
        cpf=rt_user.cpf,
        rg="MG-14.523.887",
        email=rt_user.email,
        street="Rua dos Timbiras",
        street_number="1560",
        district="Lourdes",
        cep="30140061",
        municipality="Belo Horizonte",
        council=Council.CREA,
        council_number="MG-198765/D",
        title=Title.ELECTRICAL_ENGINEER,
        decided_at=timezone.now(),
        decided_by=analyst,
        user=rt_user,
    )


def _approved(customer_user, rt_user, installation, label, commercial, technical):
    """Filed by the RT for the customer, NS issued, the order registered, documented, sent and approved."""
    from aprweb.models import AprOrder, OrderRequestType, PlantFormat, ProjectType
    from aprweb.selectors import missing_kinds
    from aprweb.services_generation import order_generation_save
    from aprweb.services_orders import order_register, order_submit, order_upload
    from aprweb.services_technical import case_technical_approve, version_verdict
    from atende import services as atende_services
    from atende.demo import _draft, _pdf
    from gdportal.cases.documents import latest_versions
    from gdportal.generation.demo import sample_values
    from gdportal.generation.services import generation_verdict

    case = _draft(customer_user, installation, rt=rt_user, label=label)
    case = atende_services.case_submit(case=case, by=rt_user)
    case = atende_services.case_commercial_approve(case=case, by=commercial)
    order = order_register(
        case=case,
        rt=rt_user,
        order=AprOrder(
            request_type=OrderRequestType.ANALYZE_GD,
            phone="31988887777",
            project_type=ProjectType.LOW,
            art_number=f"MG2026{installation.number[-4:]}",
            demand_kva=Decimal("8.50"),
            activity_type=installation.installation_class,
            expected_connection=timezone.localdate() + dt.timedelta(days=90),
            plant_format=PlantFormat.A3,
            street=installation.street,
            street_number=installation.street_number,
            district=installation.district,
            cep=installation.cep,
            municipality=installation.municipality,
            has_power_converters=True,
        ),
    )
    case.refresh_from_db()
    # The plant as data (SPEC §16), as the RT fills "Dados técnicos da geração".
    order_generation_save(order=order, by=rt_user, values=sample_values(case))
    for kind in missing_kinds(case, order):
        order_upload(order=order, kind=kind, uploaded=ContentFile(_pdf(), name=f"{kind}.pdf"), by=rt_user)
    order_submit(order=order, by=rt_user)
    case.refresh_from_db()
    for version in latest_versions(case).values():
        if version.kind != "identity":  # the commercial analyst's paper, not the technical review's
            version_verdict(version=version, by=technical, verdict="conforming")
    generation_verdict(case=case, by=technical, verdict="conforming")
    return case_technical_approve(case=case, by=technical)


def _inspection_form(case):
    """The seed's Vistoria form as Atende prefills it from the case."""
    return {
        "holder_name": case.holder_name,
        "document": case.document,
        "street": case.street,
        "cep": case.cep,
        "street_number": case.street_number,
        "complement": case.complement,
        "district": case.district,
        "municipality": case.municipality,
        "email": case.email,
        "phone": case.phone,
        "mobile": case.phone,
    }


def _walk(case, target, customer_user, technical, inspector, installation):
    """From the approval to `target`, every step by whom the SPEC names."""
    reached = STEPS.index(target)
    if reached >= STEPS.index("issued"):
        services.parecer_issue(
            case=case,
            by=technical,
            favourable=True,
            phases=installation.phases,
            connection_point=f"Alimentador BHAD-05, transformador 45 kVA n.º {installation.number[-6:]}",
            **PARECER_FIELDS,
        )
    if reached >= STEPS.index("accepted"):
        services.parecer_accept(case=case, by=customer_user)
    if reached >= STEPS.index("scheduled"):
        services_inspection.inspection_request(
            case=case, by=customer_user, data=_inspection_form(case), declaration=True
        )
        today = timezone.localdate()
        # Still to come for the scheduled one; visited today for the ones with a result.
        visit = calendar.add_business_days(today, 2, closed=closed_days()) if target == "scheduled" else today
        services_inspection.inspection_schedule(
            case=case, by=inspector, date=visit, period=InspectionPeriod.MORNING
        )
        if target == "failed":
            services_inspection.inspection_fail(
                case=case, by=inspector, visited_on=today, report=FAILED_REPORT
            )
        elif target == "connected":
            services_inspection.inspection_pass(
                case=case,
                by=inspector,
                visited_on=today,
                meter_number=f"BD{installation.number[-6:]}",
                connected_on=today,
            )


def seed_cases(customer_user, rt_user):
    """Idempotent: each demo state is created once, recognised by its label."""
    User = get_user_model()
    commercial = User.objects.get(username="analista.comercial")
    technical = User.objects.get(username="analista.tecnico")
    inspector = User.objects.get(username="vistoriador")
    _rt_registration(rt_user, User.objects.get(username="analista.cadastro"))
    customer = customer_user.customer
    installations = _installations(customer)
    for label, number, target in PLANS:
        if Case.objects.filter(other_info=label, customer=customer).exists():
            continue
        installation = installations[number]
        case = _approved(customer_user, rt_user, installation, label, commercial, technical)
        _walk(case, target, customer_user, technical, inspector, installation)
    return Case.objects.filter(customer=customer).exclude(state=CaseState.DRAFT).count()
