"""Technical document kinds and the required set (SPEC §5.3) — computed from the case, never hard-coded in
a template. The checklist that reads the case's versions against this set is in aprweb.selectors."""

from django.utils.translation import gettext_lazy as _

from gdportal.cases.choices import POWER_INCREASE_TYPES, Modality, Reason, Source
from gdportal.cases.documents import register_kinds
from gdportal.cases.gfc import gfc_required
from gdportal.generation.documents import has_generation_data
from gdportal.uploads import PDF, ZIP

TECHNICAL_TYPES = (PDF, ZIP)

KINDS = [
    ("art", _("ART/TRT paid by the RT (project and execution)")),
    ("access_form", _("Access request form")),
    ("basic_single_line", _("Basic single-line diagram (generation/protection/metering)")),
    (
        "connection_project",
        _("Electrical project of the connection installations + descriptive memorial with site plan"),
    ),
    ("generation_memorial", _("Descriptive memorial of the generation")),
    ("single_line_blocks", _("Single-line and block diagram (generation, load, protection)")),
    ("inverter_certificate", _("Conformity certificate of the inverters or INMETRO registration number")),
    # The current forms' wording (SPEC §16): "relatório de ensaio" of the inverters, micro and mini alike.
    (
        "converter_test_report",
        _("Test report (relatório de ensaio) in Portuguese of the inverters and every power converter"),
    ),
    ("aneel_registration", _("Data for the registration of the generating plant (ANEEL)")),
    ("compensation_list", _("List of compensation units with percentages")),
    ("solidarity_instrument", _("Legal instrument of solidarity among the participants")),
    ("cogeneration_recognition", _("ANEEL recognition of qualified cogeneration")),
    ("property_proof", _("Proof of ownership or possession of the property or site")),
    ("load_analysis_form", _("Load analysis form")),
    ("collective_roof", _("Proof of ownership and authorisation for the collective roof")),
    ("dam_safety", _("Dam safety data")),
    ("storage_proof", _("Proof of storage for dispatchable photovoltaic generation")),
    ("guarantee_proof", _("Proof of the performance guarantee (GFC)")),
]
register_kinds(KINDS, TECHNICAL_TYPES, for_inspection=True)  # the inspector checks the plant against these
LABELS = dict(KINDS)


def required_kinds(case, order=None, *, generated=None):
    """The kinds this case needs, in checklist order. `generated`: whether the case's data step is filled,
    when the caller read it already (None: asked here)."""
    reason = case.reason
    micro_small, micro_large, mini = (
        reason == Reason.MICRO_UP_TO_10,
        reason == Reason.MICRO_ABOVE_10,
        reason == Reason.MINI,
    )
    # With the data step filled (SPEC §16) the portal writes the request form and the units list itself:
    # neither is uploaded then (gdportal.generation.documents).
    if generated is None:
        generated = getattr(case, "pk", None) is not None and has_generation_data(case)
    needed = ["art"] if generated else ["art", "access_form"]
    if micro_small:
        needed.append("basic_single_line")
    if micro_large or mini:
        needed.append("connection_project")
    needed.append("generation_memorial")
    if micro_large or mini:
        needed.append("single_line_blocks")
    if micro_small or micro_large:
        needed.append("inverter_certificate")
    # Every category with converters (SPEC §5.3, §16): the micro forms ask for it beside the INMETRO number.
    if order is None or order.has_power_converters:
        needed.append("converter_test_report")
    needed.append("aneel_registration")
    if case.modality in (Modality.REMOTE, Modality.SHARED, Modality.MULTIPLE_UNITS) and not generated:
        needed.append("compensation_list")
    if case.modality in (Modality.SHARED, Modality.MULTIPLE_UNITS):
        needed.append("solidarity_instrument")
    if case.source == Source.COGENERATION:
        needed.append("cogeneration_recognition")
    # Both current forms ask every GD request for it, not only a new unit's (SPEC §16).
    needed.append("property_proof")
    if case.request_type in POWER_INCREASE_TYPES:
        needed.append("load_analysis_form")
    if order is not None and order.uses_collective_roof:
        needed.append("collective_roof")
    if mini and case.source == Source.HYDRO:
        needed.append("dam_safety")
    if mini and case.source == Source.SOLAR and order is not None and order.pv_with_storage:
        needed.append("storage_proof")
    if gfc_required(case.reason, case.power_kw, case.modality):
        needed.append("guarantee_proof")
    return needed
