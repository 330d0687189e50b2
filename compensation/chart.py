"""The statement's chart (SPEC §7.2): consumption and injection as bars, the credit balance as a line, for the
last 13 cycles, on the kernel's SVG frame (gdportal/charts.py, shared with the transparency page's).

compensation/_chart.html draws it, with its <title>, <desc> and a table of the same figures for screen
readers.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from gdportal.brformats import number_br
from gdportal.charts import Bar, Frame, svg_number

CHART_CYCLES = 13
FRAME = Frame(width=720, height=320, left=72, right=12, top=40, bottom=40)  # wide y labels: kWh
TICKS = 4
NICE_STEPS = (1, 2, 4, 6, 8, 10)


@dataclass(frozen=True)
class Slot:
    label: str  # "03/25"
    label_x: str
    consumption: Bar
    injection: Bar
    point_x: str
    point_y: str
    result: object  # the CycleResult, for the figures in the <title> of each mark


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: str
    top: int
    bottom: str
    slots: list
    ticks: list
    line: str  # the balance polyline's points


def nice_ceiling(value: float) -> float:
    """The smallest 'round' number ≥ value that splits into TICKS readable steps (1,000 → 1,000; 1,130 →
    2,000; 61 → 80)."""
    if value <= 0:
        return 100.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in NICE_STEPS:
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


def build_chart(results) -> Chart | None:
    """The last CHART_CYCLES results (oldest first) as bars and a line; None with nothing to draw."""
    results = list(results)[-CHART_CYCLES:]
    if not results:
        return None
    top_value = max(max(float(r.consumed_kwh), float(r.injected_kwh), float(r.balance_kwh)) for r in results)
    ceiling = nice_ceiling(top_value)
    bar_width = min(FRAME.slot_width(len(results)) * 0.32, 28.0)
    slots = []
    for index, result in enumerate(results):
        centre = FRAME.centre(index, len(results))
        slots.append(
            Slot(
                label=f"{result.cycle:%m/%y}",
                label_x=svg_number(centre),
                consumption=FRAME.bar(
                    x=centre - bar_width, width=bar_width, value=result.consumed_kwh, ceiling=ceiling
                ),
                injection=FRAME.bar(x=centre, width=bar_width, value=result.injected_kwh, ceiling=ceiling),
                point_x=svg_number(centre),
                point_y=svg_number(FRAME.y_of(result.balance_kwh, ceiling)),
                result=result,
            )
        )
    steps = [ceiling * index / TICKS for index in range(TICKS + 1)]
    return Chart(
        **FRAME.edges(),
        top=FRAME.top,
        slots=slots,
        ticks=FRAME.ticks(steps, ceiling, lambda value: number_br(Decimal(str(value)).normalize())),
        line=" ".join(f"{slot.point_x},{slot.point_y}" for slot in slots),
    )
