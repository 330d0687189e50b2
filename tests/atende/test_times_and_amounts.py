"""Times in São Paulo as dd/mm/aaaa HH:MM, amounts with the thousands separator, "1.000" kW (issue 10)."""

import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from atende import services
from gdportal.cases.models import Case
from gdportal.formfields import BRDecimalField
from gdportal.web.templatetags.br import br_number, brl
from tests.atende.conftest import make_case, request_data
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db

# 13:05 UTC is 10:05 in São Paulo: a page that shows 13:05 printed the database's UTC time.
FILED = "2026-11-10 13:05:00+00:00"
LOCAL, UTC = "10/11/2026 10:05", "13:05"


@pytest.fixture
def filed_case(customer, installation, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "gdportal.notifications.backends.MaildirBackend"
    with time_machine.travel(FILED, tick=False), django_capture_on_commit_callbacks(execute=True):
        return make_case(customer, installation)


def test_the_admin_case_page_shows_every_time_in_sao_paulo(client, filed_case, commercial_analyst):
    client.force_login(commercial_analyst)
    html = client.get(reverse("admin:cases_case_change", args=[filed_case.pk])).content.decode()
    assert LOCAL in html  # read-only "filed at", the event inline, the document inline
    assert UTC not in html  # the event inline's title printed the UTC time beside them
    assert "de novembro de" not in html  # Django's long pt_BR format in the read-only fields


def test_the_dev_mailbox_shows_the_time_in_sao_paulo(client, filed_case, settings):
    settings.DEBUG = True
    settings.ROOT_URLCONF = "tests.urls_dev"
    listing = client.get("/dev/emails/").content.decode()
    assert LOCAL in listing and UTC not in listing
    message = re.search(r'href="(/dev/emails/[^"]+)"', listing)[1]
    page = client.get(message).content.decode()
    assert LOCAL in page and UTC not in page


def test_the_ns_e_mail_gives_the_apr_deadlines_in_sao_paulo(filed_case, commercial_analyst):
    from gdportal.notifications.models import OutboundEmail

    with time_machine.travel(FILED, tick=False):
        services.case_commercial_approve(case=filed_case, by=commercial_analyst)
    email = OutboundEmail.objects.get(template="case_ns_issued")
    assert "11/11/2026 10:05" in email.body_text  # 24 hours to register the order, in local time
    assert "11/11/2026 13:05" not in email.body_text


def test_amounts_and_powers_have_the_thousands_separator():
    assert brl(Decimal("50001")) == "R$ 50.001,00"
    assert brl(Decimal("0.5")) == "R$ 0,50"
    assert brl(None) == ""
    assert br_number(Decimal("1000.00")) == "1.000"
    assert br_number(Decimal("8.50")) == "8,5"


def test_the_guarantee_amount_is_shown_with_the_thousands_separator(client, customer, installation, settings):
    """R$ 80000,00 on the confirmation, status and receipt pages; now R$ 80.000,00."""
    settings.GD_GFC_REFERENCE_PRICE = "4000.00"
    client.force_login(customer)
    response = client.post(
        reverse("atende:new", args=[installation.number]),
        {
            **request_data(reason="mini", power_kw="800", source="hydro", gfc_form="cash"),
            "file_identity": SimpleUploadedFile("rg.pdf", pdf_bytes()),
            "file_gfc_proof": SimpleUploadedFile("caucao.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    confirm = client.get(response["Location"]).content.decode()
    assert "R$ 80.000,00" in confirm and "80000" not in confirm
    case = services.case_submit(case=Case.objects.get(), by=customer)
    for name in ("atende:receipt", "atende:status_detail"):
        page = client.get(reverse(name, args=[case.protocol])).content.decode()
        assert "R$ 80.000,00" in page and "800 kW" in page and "80000" not in page


@pytest.mark.parametrize(
    ("typed", "power"),
    [
        ("1.000", Decimal("1000")),
        ("1.000,5", Decimal("1000.5")),
        ("1000", Decimal("1000")),
        ("8.5", Decimal("8.5")),
        ("8,5", Decimal("8.5")),
        ("12.500", Decimal("12500")),
    ],
)
def test_a_power_field_reads_a_thousands_dot(typed, power):
    field = BRDecimalField(max_digits=9, decimal_places=2, thousands=True)
    assert field.clean(typed) == power


def test_a_coordinate_keeps_the_dot_as_the_decimal_point():
    field = BRDecimalField(max_digits=9, decimal_places=6)
    assert field.clean("-19.920") == Decimal("-19.920")


def test_an_english_number_is_refused_with_a_message_not_guessed():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        BRDecimalField(max_digits=9, decimal_places=2, thousands=True).clean("1,000.5")
    assert "vírgula" in str(refused.value)


def test_a_mini_power_typed_with_a_thousands_dot_is_filed(client, customer, installation, identity_pdf):
    """'1.000' was refused with 'mais de 2 casas decimais', which the customer had not typed."""
    client.force_login(customer)
    response = client.post(
        reverse("atende:new", args=[installation.number]),
        {
            **request_data(reason="mini", power_kw="1.000", source="hydro", modality="shared"),
            "file_identity": identity_pdf,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Case.objects.get().power_kw == Decimal("1000")
    form = client.get(reverse("atende:new_unit", args=[customer.customer.number])).content.decode()
    assert "1.000 é mil kW" in form  # the rule is in the field's help text
