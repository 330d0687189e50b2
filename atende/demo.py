"""Demo cases for seed_demo: one per stage-1 state, filed through the real services (never in production)."""

import io

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from gdportal.cases.choices import CaseKind, CaseState
from gdportal.cases.documents import document_store
from gdportal.cases.models import Case

from . import services


def _pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _draft(user, installation, *, rt=None, kind=CaseKind.ACCESS, power="8.50", label="", **fields):
    """`fields`: anything else the filer typed (the art. 73-A term of the fast-track demo case)."""
    customer = installation.customer
    case = Case.objects.create(
        kind=kind,
        customer=customer,
        installation=installation,
        filed_by=rt or user,
        rt=rt,
        reason="micro_le10",
        holder_name=customer.name,
        installation_class=installation.installation_class,
        document=customer.document,
        cep=installation.cep,
        street=installation.street,
        street_number=installation.street_number,
        complement=installation.complement,
        district=installation.district,
        municipality=installation.municipality,
        uf=installation.state,
        phone=customer.phone,
        email=customer.email,
        latitude=installation.latitude,
        longitude=installation.longitude,
        power_kw=power,
        source="solar",
        request_type="without_increase",
        modality="local",
        requester_name=customer.name,
        requester_phone=customer.phone,
        requester_email=customer.email,
        other_info=label,
        declaration=kind == CaseKind.ACCESS,
        **fields,
    )
    if kind == CaseKind.ACCESS:
        content = _pdf()
        document_store(
            case=case,
            kind="identity",
            uploaded=ContentFile(content, name="documento-identidade.pdf"),
            by=case.filed_by,
        )
    return case


def seed_cases(customer_user, rt_user):
    """Idempotent: each demo state is created once, recognised by its label."""
    User = get_user_model()
    analyst = User.objects.get(username="analista.comercial")
    # One access request under way per installation (SPEC §4.2): the ended ones first, then one open request
    # on each of two installations; the first installation is left free for a new request.
    _free, second, third = customer_user.customer.installations.active().order_by("number")[:3]
    plans = [
        ("Demonstração: reprovada na análise comercial", second, None, CaseKind.ACCESS, ["reject"]),
        ("Demonstração: cancelada pelo titular", second, None, CaseKind.ACCESS, ["cancel"]),
        ("Demonstração: consulta respondida", second, None, CaseKind.CONSULTATION, ["answer"]),
        ("Demonstração: em análise comercial", second, None, CaseKind.ACCESS, []),
        ("Demonstração: NS emitida", third, rt_user, CaseKind.ACCESS, ["approve"]),
    ]
    for label, installation, rt, kind, steps in plans:
        if Case.objects.filter(other_info=label, customer=installation.customer).exists():
            continue
        case = _draft(customer_user, installation, rt=rt, kind=kind, label=label)
        case = services.case_submit(case=case, by=case.filed_by)
        for step in steps:
            if step == "approve":
                case = services.case_commercial_approve(case=case, by=analyst)
            elif step == "reject":
                case = services.case_commercial_reject(
                    case=case, by=analyst, reason="Documento de identificação ilegível."
                )
            elif step == "cancel":
                case = services.case_cancel(case=case, by=customer_user, reason="Desistência do titular.")
            elif step == "answer":
                case = services.consultation_answer(
                    case=case, by=analyst, answer="Conexão viável sem obras; orçamento estimado R$ 0,00."
                )
    return Case.objects.filter(customer=customer_user.customer).exclude(state=CaseState.DRAFT).count()
