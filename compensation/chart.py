"""The statement's chart (SPEC §7.2): consumption and injection as bars, the credit balance as a line, for the
last 13 cycles, drawn on the server as inline SVG — no JavaScript library, nothing from a CDN.

This module only does the geometry; compensation/_chart.html draws it, with its <title>, <desc> and a table
of the same figures for screen readers. Coordinates are strings with a dot, formatted here: the template's
localization would print a float with the pt-BR decimal comma, which SVG does not read.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from gdportal.brformats import number_br

CHART_CYCLES = 13
WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 72, 12, 40, 40  # room for the y labels, the legend above and the cycles below
TICKS = 4
NICE_STEPS = (1, 2, 4, 6, 8, 10)


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str


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
class Tick:
    y: str
    label: str


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


def _f(value: float) -> str:
    return f"{value:.1f}"


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
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    bottom = HEIGHT - BOTTOM

    def y_of(value) -> float:
        return bottom - plot_height * max(float(value), 0.0) / ceiling

    slot_width = plot_width / len(results)
    bar_width = min(slot_width * 0.32, 28.0)
    slots = []
    for index, result in enumerate(results):
        centre = LEFT + slot_width * (index + 0.5)
        consumed_y, injected_y = y_of(result.consumed_kwh), y_of(result.injected_kwh)
        slots.append(
            Slot(
                label=f"{result.cycle:%m/%y}",
                label_x=_f(centre),
                consumption=Bar(
                    _f(centre - bar_width), _f(consumed_y), _f(bar_width), _f(bottom - consumed_y)
                ),
                injection=Bar(_f(centre), _f(injected_y), _f(bar_width), _f(bottom - injected_y)),
                point_x=_f(centre),
                point_y=_f(y_of(result.balance_kwh)),
                result=result,
            )
        )
    ticks = []
    for index in range(TICKS + 1):
        value = ceiling * index / TICKS
        ticks.append(Tick(y=_f(y_of(value)), label=number_br(Decimal(str(value)).normalize())))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=_f(WIDTH - RIGHT),
        top=TOP,
        bottom=_f(bottom),
        slots=slots,
        ticks=ticks,
        line=" ".join(f"{slot.point_x},{slot.point_y}" for slot in slots),
    )
