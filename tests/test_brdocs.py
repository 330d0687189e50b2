import pytest
from django.core.exceptions import ValidationError

from gdportal import brdocs


@pytest.mark.parametrize("value", ["529.982.247-25", "52998224725", " 529982247-25 "])
def test_valid_cpf_with_or_without_mask(value):
    assert brdocs.validate_document(value) == "52998224725"


@pytest.mark.parametrize("value", ["529.982.247-24", "111.111.111-11", "5299822472"])
def test_invalid_cpf(value):
    with pytest.raises(ValidationError):
        brdocs.validate_document(value)


def test_alphanumeric_cnpj_is_accepted_and_normalised():
    cnpj = brdocs.cnpj_with_check_digits("12ABC34501DE")
    masked = brdocs.format_document(cnpj).lower()
    assert brdocs.validate_document(masked) == cnpj


@pytest.mark.parametrize("value", ["12.ABC.345/01DE-00", "00.000.000/0000-00", "11.222.333/0001-80"])
def test_invalid_cnpj(value):
    with pytest.raises(ValidationError) as exc:
        brdocs.validate_cnpj(value)
    assert exc.value.messages


def test_numeric_cnpj():
    assert brdocs.validate_cnpj("11.222.333/0001-81") == "11222333000181"


def test_masking_hides_the_identifying_ends():
    assert brdocs.mask_document("52998224725") == "***.982.247-**"
    assert brdocs.mask_document("11222333000181") == "11.222.333/****-**"


def test_generated_cpfs_are_valid():
    for base in ["111444777", "390533447", "000000001"]:
        brdocs.validate_cpf(brdocs.cpf_with_check_digits(base))


def test_cep():
    assert brdocs.validate_cep("30160-011") == "30160011"
    with pytest.raises(ValidationError):
        brdocs.validate_cep("3016")
