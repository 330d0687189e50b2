"""Demo data (SPEC §12): the demo people and a realistic registry. Never run in production.

Idempotent: keyed by the utility's numbers and the users' e-mails, so running it again updates in place and
creates nothing twice. Passwords are set only when an account is created.
"""

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gdportal.accounts import roles
from gdportal.brdocs import cnpj_with_check_digits, cpf_with_check_digits
from gdportal.registry.inverters import import_inverters
from gdportal.registry.models import (
    ConsumptionReading,
    Customer,
    Debt,
    Installation,
    InstallationClass,
    InstallationStatus,
    PersonType,
    Phases,
    Voltage,
)
from gdportal.transparency.services import transparency_compute

DEMO_PASSWORD = "Demo@2026gd"  # noqa: S105 — published in the README on purpose; demo only
DEMO_DOMAIN = "demo.gdportal.dev"

CUSTOMER_EMAIL = f"cliente@{DEMO_DOMAIN}"
DEBTOR_EMAIL = f"devedor@{DEMO_DOMAIN}"
RT_EMAIL = f"rt@{DEMO_DOMAIN}"
RT_CPF = "11144477735"
CUSTOMER_CPF = "52998224725"
STAFF = {
    "analista.comercial": ("Carla", "Menezes", roles.COMMERCIAL_ANALYST),
    "analista.tecnico": ("Rafael", "Teixeira", roles.TECHNICAL_ANALYST),
    "analista.cadastro": ("Juliana", "Prado", roles.REGISTRATION_ANALYST),
    "vistoriador": ("Marcos", "Ribeiro", roles.INSPECTOR),
}

# Municipality, CEP prefix, latitude, longitude, regional office (all inside Minas Gerais).
PLACES = [
    ("Belo Horizonte", "301", -19.9167, -43.9345, "Metropolitana"),
    ("Contagem", "321", -19.9321, -44.0539, "Metropolitana"),
    ("Betim", "326", -19.9678, -44.1977, "Metropolitana"),
    ("Uberlândia", "384", -18.9186, -48.2772, "Triângulo"),
    ("Uberaba", "380", -19.7472, -47.9381, "Triângulo"),
    ("Juiz de Fora", "360", -21.7642, -43.3503, "Zona da Mata"),
    ("Montes Claros", "394", -16.7282, -43.8578, "Norte"),
    ("Governador Valadares", "350", -18.8511, -41.9495, "Leste"),
    ("Ipatinga", "351", -19.4683, -42.5367, "Leste"),
    ("Divinópolis", "355", -20.1446, -44.8912, "Centro-Oeste"),
    ("Poços de Caldas", "377", -21.7878, -46.5613, "Sul"),
    ("Varginha", "370", -21.5551, -45.4364, "Sul"),
]
STREETS = [
    "Rua da Bahia",
    "Avenida Afonso Pena",
    "Rua dos Inconfidentes",
    "Rua Sete de Setembro",
    "Avenida Brasil",
    "Rua Tiradentes",
    "Rua São Paulo",
    "Avenida Getúlio Vargas",
    "Rua das Acácias",
    "Rua Padre Eustáquio",
    "Rua Goiás",
    "Avenida Minas Gerais",
]
DISTRICTS = [
    "Centro",
    "Funcionários",
    "Santa Efigênia",
    "Savassi",
    "Jardim América",
    "Cidade Nova",
    "São Pedro",
    "Eldorado",
    "Industrial",
    "Vila Rica",
]
FIRST = [
    "Ana",
    "Bruno",
    "Camila",
    "Diego",
    "Eduarda",
    "Felipe",
    "Gabriela",
    "Henrique",
    "Isabela",
    "João",
    "Larissa",
    "Mateus",
    "Natália",
    "Otávio",
    "Patrícia",
    "Rodrigo",
    "Sabrina",
    "Thiago",
    "Vanessa",
    "Wagner",
]
LAST = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Rocha",
    "Almeida",
]


def _readings(installation, rng, base, today):
    month = dt.date(today.year, today.month, 1)
    rows = []
    for _ in range(12):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        seasonal = 1.15 if month.month in (12, 1, 2, 3) else 0.95
        rows.append(
            ConsumptionReading(
                installation=installation,
                month=month,
                kwh=max(30, int(base * seasonal * rng.uniform(0.85, 1.15))),
            )
        )
    ConsumptionReading.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["installation", "month"], update_fields=["kwh"]
    )


def _installation(
    number,
    customer,
    rng,
    today,
    *,
    status=InstallationStatus.ACTIVE,
    klass=None,
    place=None,
    voltage=Voltage.LOW,
    phases=None,
    power=None,
    consumption=None,
):
    municipality, cep_prefix, lat, lon, regional = place or rng.choice(PLACES)
    installation, _ = Installation.objects.update_or_create(
        number=number,
        defaults=dict(
            customer=customer,
            status=status,
            voltage=voltage,
            installation_class=klass
            or rng.choice([InstallationClass.RESIDENTIAL] * 4 + list(InstallationClass)),
            phases=phases or rng.choice(list(Phases)),
            street=rng.choice(STREETS),
            street_number=str(rng.randint(10, 2500)),
            complement=rng.choice(["", "", "Apto 101", "Casa 2", "Loja A"]),
            district=rng.choice(DISTRICTS),
            municipality=municipality,
            state="MG",
            cep=f"{cep_prefix}{rng.randint(0, 99999):05d}",
            latitude=Decimal(f"{lat + rng.uniform(-0.05, 0.05):.6f}"),
            longitude=Decimal(f"{lon + rng.uniform(-0.05, 0.05):.6f}"),
            available_power_kw=power
            or Decimal(rng.choice(["8.00", "12.00", "15.00", "25.00", "38.00", "75.00"])),
            regional_office=regional,
        ),
    )
    _readings(installation, rng, consumption or rng.randint(120, 900), today)
    return installation


def _user(email, *, username, first, last, kind, cpf=None, customer=None, staff=False, superuser=False):
    User = get_user_model()
    user, created = User.objects.update_or_create(
        email=email,
        defaults=dict(
            username=username,
            first_name=first,
            last_name=last,
            kind=kind,
            cpf=cpf,
            customer=customer,
            is_staff=staff or superuser,
            is_superuser=superuser,
            is_active=True,
        ),
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        if kind == User.Kind.RT:
            user.set_apr_password(DEMO_PASSWORD)
        user.save()
    return user


# The stages' demo data, in the order their apps are installed (the shared layer imports no stage: each
# registers its seeder in its AppConfig.ready). A seeder takes the demo customer and RT users and is
# idempotent.
DEMO_SEEDERS = []


def register_demo_seeder(seeder):
    if seeder not in DEMO_SEEDERS:
        DEMO_SEEDERS.append(seeder)


@transaction.atomic
def seed_demo():
    rng = random.Random(2026)  # noqa: S311 — deterministic demo data, not security
    today = timezone.localdate()
    User = get_user_model()

    maria, _ = Customer.objects.update_or_create(
        number="7000000001",
        defaults=dict(
            name="Maria Aparecida Souza",
            document=CUSTOMER_CPF,
            person_type=PersonType.INDIVIDUAL,
            email=CUSTOMER_EMAIL,
            phone="31988887777",
        ),
    )
    maria.debts.all().delete()
    _installation(
        "3000000001",
        maria,
        rng,
        today,
        klass=InstallationClass.RESIDENTIAL,
        place=PLACES[0],
        phases=Phases.TWO,
        power=Decimal("12.00"),
        consumption=420,
    )
    _installation(
        "3000000002",
        maria,
        rng,
        today,
        klass=InstallationClass.RURAL,
        place=PLACES[9],
        phases=Phases.THREE,
        power=Decimal("38.00"),
        consumption=880,
    )
    # The demo's requests under way sit on 0002 and 0005 (one per installation, SPEC §4.2); 0001 is left free
    # for a new request. Stage 3's demo adds 0006-0011 for its own cases (demo/journeys.py).
    _installation(
        "3000000005",
        maria,
        random.Random(5),  # noqa: S311 — its own sequence: the registry drawn after it stays as it was
        today,
        klass=InstallationClass.COMMERCIAL,
        place=PLACES[1],
        phases=Phases.THREE,
        power=Decimal("30.00"),
        consumption=650,
    )
    _installation(
        "3000000003",
        maria,
        rng,
        today,
        status=InstallationStatus.CLOSED,
        place=PLACES[0],
        klass=InstallationClass.RESIDENTIAL,
    )

    jose, _ = Customer.objects.update_or_create(
        number="7000000002",
        defaults=dict(
            name="José Carlos Pereira",
            document=cpf_with_check_digits("390533447"),
            person_type=PersonType.INDIVIDUAL,
            email=DEBTOR_EMAIL,
            phone="31977776666",
        ),
    )
    Debt.objects.update_or_create(
        customer=jose,
        reference="FAT-2026-08",
        defaults=dict(amount=Decimal("312.45"), due_date=today - dt.timedelta(days=75)),
    )
    Debt.objects.update_or_create(
        customer=jose,
        reference="FAT-2026-09",
        defaults=dict(amount=Decimal("287.10"), due_date=today - dt.timedelta(days=45)),
    )
    _installation("3000000004", jose, rng, today, klass=InstallationClass.RESIDENTIAL, place=PLACES[5])

    # A realistic registry around them: companies and individuals across the concession.
    for i in range(3, 63):
        company = i % 5 == 0
        number = f"70000000{i:02d}"
        if company:
            document = cnpj_with_check_digits(f"{rng.randint(10, 99)}{rng.randint(100000, 999999)}0001")
            name = f"{rng.choice(LAST)} & {rng.choice(LAST)} Comércio Ltda"
        else:
            document = cpf_with_check_digits(f"{rng.randint(100000000, 999999999)}")
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"
        customer, _ = Customer.objects.update_or_create(
            number=number,
            defaults=dict(
                name=name,
                document=document,
                person_type=PersonType.COMPANY if company else PersonType.INDIVIDUAL,
                email=f"cliente{i}@{DEMO_DOMAIN}",
                phone=f"3199{rng.randint(1000000, 9999999)}",
            ),
        )
        for j in range(1 + (i % 3 == 0)):
            _installation(
                f"30000{i:03d}{j:02d}",
                customer,
                rng,
                today,
                voltage=Voltage.MEDIUM if company and j else Voltage.LOW,
            )

    _user(
        CUSTOMER_EMAIL,
        username=CUSTOMER_EMAIL,
        first="Maria Aparecida",
        last="Souza",
        kind=User.Kind.CUSTOMER,
        customer=maria,
    )
    _user(
        DEBTOR_EMAIL,
        username=DEBTOR_EMAIL,
        first="José Carlos",
        last="Pereira",
        kind=User.Kind.CUSTOMER,
        customer=jose,
    )
    _user(RT_EMAIL, username=RT_EMAIL, first="Paulo Henrique", last="Andrade", kind=User.Kind.RT, cpf=RT_CPF)
    for username, (first, last, role) in STAFF.items():
        user = _user(
            f"{username}@{DEMO_DOMAIN}",
            username=username,
            first=first,
            last=last,
            kind=User.Kind.STAFF,
            staff=True,
        )
        user.groups.set([Group.objects.get(name=role)])
    _user(
        f"admin@{DEMO_DOMAIN}",
        username="admin",
        first="Admin",
        last="GD Portal",
        kind=User.Kind.STAFF,
        superuser=True,
    )

    # A small INMETRO table (demo/inverters.csv, in the export's format), so the order's inverter rows are
    # checked against it; one model (Hoymiles HMS-2000-4T) has an expired registration on purpose.
    import_inverters(settings.BASE_DIR / "demo" / "inverters.csv")

    # Cases come last: each stage files its demo cases through its own services, as the demo people.
    customer, rt = User.objects.get(email=CUSTOMER_EMAIL), User.objects.get(email=RT_EMAIL)
    for seeder in DEMO_SEEDERS:
        seeder(customer, rt)
    # Then the journeys that cross stages (demo/): named in settings, so nothing here imports a stage.
    for path in settings.GD_DEMO_JOURNEYS:
        import_string(path)(customer, rt)
    # The public figures, so /transparencia/ shows the demo's months at once instead of "being computed".
    transparency_compute()
