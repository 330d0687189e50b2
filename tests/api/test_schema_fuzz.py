"""The API against its own schema (issue 13's "Done when"): schemathesis, on a live server, with a token.

No server error, no answer that breaks the schema, and nothing accepted that the schema forbids — for every
operation the schema lists, as a customer and as an RT holding cases, drafts and orders.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gdportal.api.models import ApiToken
from tests import factories
from tests.atende.conftest import make_case

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)


def schemathesis(live_server, token, tmp_path, max_examples):
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        str(max_examples),
        "--seed",
        "20261201",
        "--workers",
        "1",
        "--phases",
        # The coverage phase (every boundary and negative value of every field, ~2,300 calls, 2 minutes per
        # user here) passed too; it runs with GD_FUZZ_COVERAGE=1, the suite keeps the randomised phase.
        "examples,coverage,fuzzing" if os.environ.get("GD_FUZZ_COVERAGE") else "examples,fuzzing",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"}
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env, check=False
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def unlimited(settings):
    settings.GD_API_RATE_LIMIT = 1_000_000
    # The pages' own limits (RT lookups, failed order searches) would answer most generated calls with 429.
    settings.GD_RT_LOOKUPS_PER_HOUR = 1_000_000
    settings.GD_ORDER_SEARCH_FAILURES_PER_HOUR = 1_000_000


def seed(customer, installation, rt, analyst):
    """Objects behind every path parameter, so generated calls reach the endpoints' logic, not only 404s: a
    case with its parecer (and, for the RT, its APR order), a draft of each kind, a plant with a statement."""
    import datetime as dt

    from gdportal.cases.choices import CaseState
    from tests.aprweb.conftest import build_order
    from tests.compensation.test_allocation_registration import make_generator
    from tests.compensation.test_statement_pages import lot, result
    from tests.parecer.test_customer_pages import staged

    factories.RTRegistrationFactory(cpf=rt.cpf, email=rt.email, status="approved", user=rt)
    case = staged(customer, installation, analyst, state=CaseState.PARECER_ISSUED, rt=rt)
    make_generator(installation)
    result(installation, dt.date(2025, 11, 1), consumed_kwh="300", injected_kwh="500")
    lot(installation, dt.date(2025, 11, 1), dt.date(2030, 11, 1), "12.5")
    other = factories.InstallationFactory(customer=installation.customer)
    for_order = make_case(customer, other, rt=rt, state=CaseState.AWAITING_TECHNICAL)
    order = build_order(for_order, rt)
    spare = factories.InstallationFactory(customer=installation.customer)
    drafts = {
        "customer": make_case(customer, spare, state=CaseState.DRAFT),
        "rt": make_case(customer, spare, rt=rt, state=CaseState.DRAFT),
    }
    return case, order, drafts, installation.number


def config(case, order, draft, installation):
    # schemathesis.toml: which real id each path parameter takes, per group of operations.
    return f"""
[parameters]
"path.installation" = "{installation}"

[[operations]]
include-path-regex = "^/api/v1/cases/"
parameters = {{ "path.id" = {case.pk} }}

[[operations]]
include-path-regex = "^/api/v1/orders/"
parameters = {{ "path.id" = {order.pk} }}

[[operations]]
include-path-regex = "^/api/v1/(access-requests|consultations)/"
parameters = {{ "path.id" = {draft.pk} }}
"""


@pytest.mark.parametrize("who", ["customer", "rt"])
def test_the_api_keeps_its_schema_under_generated_input(who, live_server, unlimited, tmp_path, request):
    customer = request.getfixturevalue("customer")
    installation = request.getfixturevalue("installation")
    rt = request.getfixturevalue("rt")
    analyst = request.getfixturevalue("technical_analyst")
    case, order, drafts, number = seed(customer, installation, rt, analyst)
    (tmp_path / "schemathesis.toml").write_text(config(case, order, drafts[who], number))
    user = customer if who == "customer" else rt
    _row, token = ApiToken.issue(user=user, name="schemathesis")
    # 5 generated inputs per operation and user keep the suite within its 15 minutes; a deeper run before a
    # release or after an API change: GD_FUZZ_EXAMPLES=100.
    examples = int(os.environ.get("GD_FUZZ_EXAMPLES", "5"))
    code, output = schemathesis(live_server, token, tmp_path, max_examples=examples)
    assert code == 0, output[-15000:]
