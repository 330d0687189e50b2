"""Benchmark: the order search (SPEC §5.5) and the analysts' admin change lists at scale.

    python bench/orders_search.py --rows 1000000

Loads ROWS cases with their orders (set-based INSERT … SELECT generate_series, as fast as COPY), then measures
p50/p95 and the query count of each request through the full Django stack (middleware, auth, templates) with
the test client. Run it twice with different --rows to see that query counts do not grow with the data.
"""

# bandit B608 ("nosec B608" below): the SQL interpolates only integers and this module's constants.
import argparse
import json
import statistics
import time
from urllib.parse import urlencode

from _setup import configure, machine, percentile

SCENARIOS_RT = [
    ("RT: own orders, newest first", {}),
    ("RT: by NS", {"ns": "{ns}"}),
    ("RT: by protocol", {"protocol": "{protocol}"}),
    ("RT: client name prefix", {"customer_name": "Cliente 12"}),
    (
        "RT: situação + período",
        {"situation": "technical_review", "sent_from": "2026-01-01", "sent_to": "2026-06-30"},
    ),
    ("RT: regional", {"regional": "Norte"}),
]
SCENARIOS_ADMIN = [
    ("Admin orders: first page", "/admin/aprweb/aprorder/", {}),
    ("Admin orders: by NS", "/admin/aprweb/aprorder/", {"q": "{ns}"}),
    ("Admin orders: by protocol", "/admin/aprweb/aprorder/", {"q": "{protocol}"}),
    ("Admin orders: broad name prefix (~11% of rows)", "/admin/aprweb/aprorder/", {"q": "Cliente 12"}),
    ("Admin orders: name prefix (~100 rows)", "/admin/aprweb/aprorder/", {"q": "Cliente 12345"}),
    ("Admin orders: situação", "/admin/aprweb/aprorder/", {"situation__exact": "technical_review"}),
    ("Admin orders: regional", "/admin/aprweb/aprorder/", {"regional": "Norte"}),
    ("Admin cases: first page", "/admin/cases/case/", {}),
    ("Admin technical queue", "/admin/aprweb/technicalqueue/", {}),
]
STATES = [
    "awaiting_technical",
    "technical_review",
    "pending_correction",
    "approved",
    "technical_rejected",
    "parecer_issued",
    "connected",
    "expired",
]
REGIONALS = ["Metropolitana", "Triângulo", "Zona da Mata", "Norte", "Sul", "Leste", "Centro-Oeste"]


def load(rows, rts):
    from django.db import connection

    from gdportal.brdocs import cpf_with_check_digits
    from tests.factories import CustomerFactory, InstallationFactory, RTFactory, StaffFactory  # noqa: F401

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM aprweb_aprorder")
        if cur.fetchone()[0] == rows:
            return False
        cur.execute(
            "TRUNCATE aprweb_aprorder, atende_documentversion, atende_caseevent, deadlines_deadline, "
            "atende_historicalaccessrequest, atende_accessrequest, registry_consumptionreading, "
            "registry_installation, registry_debt, registry_customer CASCADE"
        )
    customers = max(1000, rows // 10)
    users = []
    from django.contrib.auth import get_user_model

    User = get_user_model()
    User.objects.filter(username__startswith="bench-").delete()
    for i in range(rts):
        users.append(
            User(
                username=f"bench-rt-{i}@bench.dev",
                email=f"bench-rt-{i}@bench.dev",
                email_key=f"bench-rt-{i}@bench.dev",  # bulk_create skips User.save(), which sets it
                kind="rt",
                cpf=cpf_with_check_digits(f"{500000000 + i:09d}"),
                first_name="RT",
                last_name=str(i),
            )
        )
    User.objects.bulk_create(users, batch_size=1000)
    filer = User.objects.filter(username__startswith="bench-rt-").order_by("id").values_list("id", flat=True)
    first_rt, last_rt = filer[0], filer[len(filer) - 1]
    regionals = "ARRAY[" + ",".join(f"'{r}'" for r in REGIONALS) + "]"
    states = "ARRAY[" + ",".join(f"'{s}'" for s in STATES) + "]"
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO registry_customer (number, name, document, person_type, email, phone, updated_at)
            SELECT '8' || lpad(g::text, 9, '0'), 'Cliente ' || g, '9' || lpad(g::text, 10, '0'), 'PF', '', '', now()
            FROM generate_series(1, {customers}) g""")  # nosec B608
        cur.execute(f"""
            INSERT INTO registry_installation (number, customer_id, status, voltage, installation_class, phases,
                street, street_number, complement, district, municipality, state, cep, available_power_kw,
                regional_office, updated_at)
            SELECT '7' || lpad(c.id::text, 9, '0'), c.id, 'active', 'BT', 'residential', 'two', 'Rua', '1', '', 'Centro',
                'Belo Horizonte', 'MG', '30160011', 10, ({regionals})[1 + c.id % {len(REGIONALS)}], now()
            FROM registry_customer c""")  # nosec B608
        cur.execute(f"""
            INSERT INTO atende_accessrequest (kind, state, protocol, ns, ns_issued_at, customer_id, installation_id,
                filed_by_id, rt_id, reason, holder_name, installation_class, document, cep, street, street_number,
                complement, district, municipality, uf, phone, mobile, email, latitude, longitude, power_kw, source,
                request_type, modality, requester_name, requester_phone, requester_email, other_info, declaration,
                gfc_form, gfc_bank, decision_note, grid_works_needed, answer, created_at, submitted_at, updated_at,
                state_changed_at, claim_code, flow_dispensation, coordinates_confirmed, coordinates_reason,
                fast_track_term, grid_zero)
            SELECT 'access', ({states})[1 + g % {len(STATES)}], '2026' || lpad(g::text, 9, '0'),
                lpad((2000000000 + g)::text, 10, '0'), ts, i.customer_id, i.id, {first_rt},
                {first_rt} + g % ({last_rt} - {first_rt} + 1), 'micro_le10', 'Cliente ' || i.customer_id,
                'residential', '00000000000', '30160011', 'Rua', '1', '', 'Centro', 'Belo Horizonte', 'MG',
                '31988887777', '', 'c@bench.dev', -19.9, -43.9, 8.5, 'solar', 'without_increase', 'local',
                'Cliente', '31988887777', 'c@bench.dev', '', true, '', '', '', false, '', ts, ts, ts, ts, '', '', false, '', false, false
            FROM (SELECT g, timestamp with time zone '2025-01-01' + (g % 600) * interval '1 day'
                         + (g % 86400) * interval '1 second' AS ts,
                         1 + g % {customers} AS inst
                  FROM generate_series(1, {rows}) g) s
            JOIN registry_installation i ON i.id = (SELECT min(id) FROM registry_installation) + s.inst - 1""")  # nosec B608
        cur.execute("""
            INSERT INTO aprweb_aprorder (case_id, rt_id, request_type, protocol, ns, ns_date, customer_name,
                customer_number, installation_number, regional, situation, phone, project_type, art_number,
                demand_kva, activity_type, expected_connection, plant_format, street, street_number, district, cep,
                municipality, reference_point, uses_collective_roof, has_power_converters, pv_with_storage,
                registered_at, submitted_at, answered_at, observation, round, due_kind)
            SELECT a.id, a.rt_id, 'analyze_gd', a.protocol, a.ns, a.ns_issued_at, c.name, c.number, i.number,
                i.regional_office, a.state, a.phone, 'BT', 'ART', 8.5, 'residential', DATE '2027-01-01', 'A3',
                'Rua', '1', 'Centro', '30160011', 'Belo Horizonte', '', false, true, false, a.submitted_at,
                a.submitted_at + interval '2 hours', NULL, '', 1, ''
            FROM atende_accessrequest a JOIN registry_customer c ON c.id = a.customer_id
            JOIN registry_installation i ON i.id = a.installation_id""")
        cur.execute("ANALYZE")
    print(f"loaded {rows:,} cases and orders in {time.perf_counter() - t0:.1f} s")
    return True


def measure(client, url, params, repeat, warmup=3):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(url, params)
    times, queries = [], None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
        queries = len(ctx.captured_queries)
    return percentile(times, 0.5), percentile(times, 0.95), statistics.mean(times), queries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument(
        "--warmup", type=int, default=3, help="untimed requests before each page's timed ones"
    )
    parser.add_argument("--json", help="write the figures here (bench/smoke.py compares two sizes)")
    args = parser.parse_args()
    configure()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from aprweb.models import AprOrder

    load(args.rows, args.rts)
    User = get_user_model()
    rt = User.objects.filter(username__startswith="bench-rt-").order_by("id").first()
    rt.set_apr_password("bench-password")
    rt.save()
    analyst, _ = User.objects.get_or_create(
        username="bench-analyst",
        defaults={
            "email": "bench-analyst@bench.dev",
            "kind": "staff",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    # The RT's orders are rows / rts (10 with --rows 20000 and the default 2,000 RTs): take one from the middle
    # rather than a fixed index, which ran past the end of small loads (issue 17, also noticed).
    own = AprOrder.objects.filter(rt=rt).order_by("id")
    if not own.exists():
        raise SystemExit(f"the RT has no orders: use --rts below --rows ({args.rows:,})")
    sample = own[own.count() // 2]
    fill = {"ns": sample.ns, "protocol": sample.protocol}

    rt_client = Client()
    # A form post as a browser sends it: the upload guard refuses multipart where no file is taken.
    login = urlencode({"username": rt.cpf, "password": "bench-password"})
    answer = rt_client.post("/apr/", login, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 302, answer.status_code
    admin_client = Client()
    admin_client.force_login(analyst)

    rows = []
    for name, params in SCENARIOS_RT:
        params = {k: v.format(**fill) for k, v in params.items()}
        rows.append((name, *measure(rt_client, "/apr/pedidos/", params, args.repeat, args.warmup)))
    for name, url, params in SCENARIOS_ADMIN:
        params = {k: v.format(**fill) for k, v in params.items()}
        rows.append((name, *measure(admin_client, url, params, args.repeat, args.warmup)))
    # The customer's status page and case page (SPEC §11), with the customer holding the sample's case.
    from under_load import bench_users

    *_, customer, _, case = bench_users()
    customer_client = Client()
    customer_client.force_login(customer)
    rows.append(
        ("Customer status page", *measure(customer_client, "/atende/servicos/", {}, args.repeat, args.warmup))
    )
    rows.append(
        (
            "Customer case page",
            *measure(customer_client, f"/atende/servicos/{case.protocol}/", {}, args.repeat, args.warmup),
        )
    )
    print(
        f"\n{args.rows:,} cases/orders · RT with {AprOrder.objects.filter(rt=rt).count():,} orders · "
        f"{args.repeat} requests each · {machine()}\n"
    )
    print("| request | p50 ms | p95 ms | mean ms | queries |")
    print("|---|---:|---:|---:|---:|")
    for name, p50, p95, mean, queries in rows:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {mean:.1f} | {queries} |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"rows": args.rows, "queries": {row[0]: row[4] for row in rows}}, fh, indent=1)


if __name__ == "__main__":
    main()
