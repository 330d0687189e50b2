"""The transparency chart: per month, the share of the utility's clocks closed within the regulatory
deadline, one bar per stage — drawn on the server as inline SVG, no JavaScript library, nothing from a CDN
(the approach of compensation/chart.py, which the kernel does not import).

Only the geometry is here; transparency/_chart.html draws it with its <title> and <desc>, and the page's
tables hold every figure for screen readers. Coordinates are strings with a dot, formatted here: the template
would print a float with the pt-BR decimal comma, which SVG does not read.
"""

from dataclasses import dataclass

from .figures import pct_br

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 56, 36  # room for the y labels, the legend above and the months below
TICKS = (0, 25, 50, 75, 100)
# One colour per utility stage, each at least 3:1 against white (WCAG 1.4.11) and apart from the others.
COLOURS = ("#1f5f99", "#b35900", "#00662f", "#6b3fa0", "#8a1c1c")


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    colour: str
    title: str  # "02/2026 — Análise comercial: 75,0 % (3 de 4)"


@dataclass(frozen=True)
class Slot:
    label: str
    label_x: str
    bars: list


@dataclass(frozen=True)
class Legend:
    x: int
    y: int  # the swatch's top; its text's baseline is 10 below
    colour: str
    label: str


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
    bottom: str
    slots: list
    ticks: list
    legend: list


def _f(value):
    return f"{value:.1f}"


def build_chart(tables):
    """The chart of the utility's stages (figures.stage_tables), or None when no clock closed at all."""
    utility = [table for table in tables if table.utility]
    if not utility or not any(row.closed for table in utility for row in table.rows):
        return None
    months = [row.label for row in utility[0].rows]
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    bottom = HEIGHT - BOTTOM
    slot_width = plot_width / len(months)
    bar_width = min(slot_width * 0.8 / len(utility), 14.0)
    slots = []
    for index, label in enumerate(months):
        start = LEFT + slot_width * (index + 0.5) - bar_width * len(utility) / 2
        bars = []
        for position, table in enumerate(utility):
            row = table.rows[index]
            if row.within_pct is None:
                continue  # nothing closed: no bar (the table says "—")
            height = plot_height * row.within_pct / 100.0
            bars.append(
                Bar(
                    x=_f(start + bar_width * position),
                    y=_f(bottom - height),
                    width=_f(bar_width * 0.9),
                    height=_f(height),
                    colour=COLOURS[position % len(COLOURS)],
                    title=f"{label} — {table.label}: {pct_br(row.within_pct)} ({row.within}/{row.closed})",
                )
            )
        slots.append(Slot(label=label, label_x=_f(LEFT + slot_width * (index + 0.5)), bars=bars))
    ticks = [Tick(y=_f(bottom - plot_height * value / 100.0), label=f"{value} %") for value in TICKS]
    # Legend in two rows above the plot: the stages' names are long.
    legend = [
        Legend(
            x=LEFT + (position % 2) * (plot_width // 2),
            y=6 + (position // 2) * 16,
            colour=COLOURS[position % len(COLOURS)],
            label=table.label,
        )
        for position, table in enumerate(utility)
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=_f(WIDTH - RIGHT),
        bottom=_f(bottom),
        slots=slots,
        ticks=ticks,
        legend=legend,
    )
