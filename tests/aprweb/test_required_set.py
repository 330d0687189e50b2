"""The required document set (SPEC §5.3) for each category and every conditional kind."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from aprweb.documents import required_kinds


def case(**kw):
    base = dict(
        reason="micro_le10",
        modality="local",
        source="solar",
        request_type="without_increase",
        power_kw=Decimal("8"),
    )
    base.update(kw)
    return SimpleNamespace(**base)


def order(**kw):
    base = dict(uses_collective_roof=False, has_power_converters=True, pv_with_storage=False)
    base.update(kw)
    return SimpleNamespace(**base)


# Every GD request proves the site (SPEC §16), and a plant with inverters sends their test report.
BASE = {
    "art",
    "access_form",
    "generation_memorial",
    "aneel_registration",
    "property_proof",
    "converter_test_report",
}


def test_micro_up_to_10_kw():
    assert set(required_kinds(case(), order())) == BASE | {"basic_single_line", "inverter_certificate"}


def test_micro_above_10_kw():
    assert set(required_kinds(case(reason="micro_gt10", power_kw=Decimal("30")), order())) == BASE | {
        "connection_project",
        "single_line_blocks",
        "inverter_certificate",
    }


def test_minigeneration_with_converters():
    assert set(required_kinds(case(reason="mini", power_kw=Decimal("300")), order())) == BASE | {
        "connection_project",
        "single_line_blocks",
    }


def test_micro_asks_for_the_inverters_test_report_beside_the_inmetro_number():
    kinds = required_kinds(case(), order())
    assert "inverter_certificate" in kinds and "converter_test_report" in kinds
    assert "converter_test_report" not in required_kinds(
        case(source="biomass"), order(has_power_converters=False)
    )


def test_the_test_report_uses_the_forms_wording():
    from aprweb.documents import LABELS

    assert "relatório de ensaio" in str(LABELS["converter_test_report"]).lower()


@pytest.mark.parametrize("request_type", ["new_unit", "with_increase", "without_increase", "expansion"])
def test_every_gd_request_proves_ownership_or_possession_of_the_site(request_type):
    assert "property_proof" in required_kinds(case(request_type=request_type), order())


def test_minigeneration_without_converters():
    kinds = required_kinds(
        case(reason="mini", power_kw=Decimal("300"), source="biomass"), order(has_power_converters=False)
    )
    assert "converter_test_report" not in kinds


@pytest.mark.parametrize(
    ("changes", "order_changes", "kind", "present"),
    [
        ({"modality": "remote"}, {}, "compensation_list", True),
        ({"modality": "shared"}, {}, "compensation_list", True),
        ({"modality": "emuc"}, {}, "compensation_list", True),
        ({"modality": "local"}, {}, "compensation_list", False),
        ({"modality": "shared"}, {}, "solidarity_instrument", True),
        ({"modality": "emuc"}, {}, "solidarity_instrument", True),
        ({"modality": "remote"}, {}, "solidarity_instrument", False),
        ({"source": "cogeneration"}, {}, "cogeneration_recognition", True),
        ({"request_type": "new_unit"}, {}, "load_analysis_form", True),
        ({"request_type": "with_increase"}, {}, "load_analysis_form", True),
        # An ampliação raises the plant's power: it counts as a power increase (SPEC §16).
        ({"request_type": "expansion"}, {}, "load_analysis_form", True),
        ({"request_type": "without_increase"}, {}, "load_analysis_form", False),
        ({}, {"uses_collective_roof": True}, "collective_roof", True),
        ({"reason": "mini", "source": "hydro", "power_kw": Decimal("300")}, {}, "dam_safety", True),
        ({"source": "hydro"}, {}, "dam_safety", False),
        ({"reason": "mini", "power_kw": Decimal("300")}, {"pv_with_storage": True}, "storage_proof", True),
        ({"reason": "mini", "power_kw": Decimal("300")}, {}, "storage_proof", False),
        ({"reason": "mini", "power_kw": Decimal("600"), "source": "hydro"}, {}, "guarantee_proof", True),
        (
            {"reason": "mini", "power_kw": Decimal("600"), "source": "hydro", "modality": "shared"},
            {},
            "guarantee_proof",
            False,
        ),
        ({"reason": "mini", "power_kw": Decimal("500"), "source": "hydro"}, {}, "guarantee_proof", False),
    ],
)
def test_conditional_kinds(changes, order_changes, kind, present):
    assert (kind in required_kinds(case(**changes), order(**order_changes))) is present
