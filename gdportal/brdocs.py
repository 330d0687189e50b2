"""Brazilian identifiers: CPF, CNPJ (alphanumeric since July 2026), CEP.

Stored bare (digits, or digits and capitals for CNPJ) so unique constraints and lookups do not depend on how
someone typed the mask. Check digits come from django-localflavor's validators; messages are ours, in pt-BR.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from localflavor.br.validators import BRCNPJValidator, BRCPFValidator

_NON_DIGIT = re.compile(r"\D")
_NON_ALNUM = re.compile(r"[^0-9A-Z]")

CPF = "PF"
CNPJ = "PJ"


def only_digits(value):
    return _NON_DIGIT.sub("", value or "")


def normalize_document(value):
    """'529.982.247-25' -> '52998224725'; '12.ABC.345/01DE-35' -> '12ABC34501DE35'."""
    return _NON_ALNUM.sub("", (value or "").upper())


def document_kind(value):
    bare = normalize_document(value)
    if len(bare) == 11 and bare.isdigit():
        return CPF
    if len(bare) == 14:
        return CNPJ
    return None


def validate_cpf(value):
    bare = normalize_document(value)
    if len(bare) != 11 or not bare.isdigit():
        raise ValidationError(_("A CPF has 11 digits."), code="cpf_length")
    try:
        BRCPFValidator()(bare)
    except ValidationError as exc:
        raise ValidationError(_("This CPF is not valid: check the digits."), code="cpf_invalid") from exc
    return bare


def validate_cnpj(value):
    bare = normalize_document(value)
    if len(bare) != 14 or not bare[-2:].isdigit():
        raise ValidationError(
            _("A CNPJ has 14 characters (letters are allowed in the first 12)."), code="cnpj_length"
        )
    if len(set(bare)) == 1:
        raise ValidationError(_("This CNPJ is not valid: check the digits."), code="cnpj_invalid")
    try:
        BRCNPJValidator()(bare)
    except ValidationError as exc:
        raise ValidationError(_("This CNPJ is not valid: check the digits."), code="cnpj_invalid") from exc
    return bare


def validate_document(value):
    """Validate a CPF or CNPJ typed with or without its mask; return it bare."""
    bare = normalize_document(value)
    if len(bare) == 11 and bare.isdigit():
        return validate_cpf(bare)
    if len(bare) == 14:
        return validate_cnpj(bare)
    raise ValidationError(_("Enter a CPF (11 digits) or a CNPJ (14 characters)."), code="document_length")


def format_document(value):
    bare = normalize_document(value)
    if len(bare) == 11:
        return f"{bare[:3]}.{bare[3:6]}.{bare[6:9]}-{bare[9:]}"
    if len(bare) == 14:
        return f"{bare[:2]}.{bare[2:5]}.{bare[5:8]}/{bare[8:12]}-{bare[12:]}"
    return value or ""


def mask_document(value):
    """Show only what identifies without exposing: '***.982.247-**' / '12.ABC.345/****-**'."""
    bare = normalize_document(value)
    if len(bare) == 11:
        return f"***.{bare[3:6]}.{bare[6:9]}-**"
    if len(bare) == 14:
        return f"{bare[:2]}.{bare[2:5]}.{bare[5:8]}/****-**"
    return ""


def mask_name(value):
    """'Maria Aparecida Souza' -> 'M**** A******** S****': enough to recognise, not to harvest."""
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in (value or "").split())


def mask_email(value):
    """'maria.souza@example.com' -> 'm***@e***.com'."""
    local, _at, domain = (value or "").partition("@")
    if not domain:
        return ""
    host, _dot, tld = domain.rpartition(".")
    return f"{local[:1]}***@{(host or tld)[:1]}***.{tld}" if host else f"{local[:1]}***@***"


def mask_phone(value):
    """Only the last two digits: '(**) *****-**77'."""
    digits = only_digits(value)
    return f"(**) *****-**{digits[-2:]}" if len(digits) >= 8 else ""


def validate_cep(value):
    bare = only_digits(value)
    if len(bare) != 8:
        raise ValidationError(_("A CEP has 8 digits."), code="cep_length")
    return bare


def format_cep(value):
    bare = only_digits(value)
    return f"{bare[:5]}-{bare[5:]}" if len(bare) == 8 else value or ""


def cpf_with_check_digits(first_nine):
    """Complete nine digits into a valid CPF (used by demo data and test factories)."""
    digits = [int(d) for d in only_digits(first_nine)[:9]]
    for length in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(length + 1, 1, -1), strict=False))
        remainder = total % 11
        digits.append(0 if remainder < 2 else 11 - remainder)
    return "".join(map(str, digits))


def cnpj_with_check_digits(first_twelve):
    """Complete twelve characters (digits or capitals) into a valid CNPJ."""
    base = normalize_document(first_twelve)[:12]
    return base + BRCNPJValidator()._get_check_digit(base)
