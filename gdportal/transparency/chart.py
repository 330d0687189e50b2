"""The transparency chart: per month, the share of the utility's clocks closed within the regulatory
deadline, one bar per stage, on the kernel's SVG frame (gdportal/charts.py, shared with the statement's).

transparency/_chart.html draws it with its <title> and <desc>, and the page's tables hold every figure for
screen readers.
"""

from dataclasses import dataclass

from gdportal.charts import Frame, svg_number

from .figures import pct_br

FRAME = Frame(width=720, height=300, left=48, right=12, top=56, bottom=36)  # the legend's two rows above
TICKS = (0, 25, 50, 75, 100)
# One colour per utility stage, each at least 3:1 against white (WCAG 1.4.11) and apart from the others.
COLOURS = ("#1f5f99", "#b35900", "#00662f", "#6b3fa0", "#8a1c1c")


@dataclass(frozen=True)
class Slot:
    label: str
    label_x: str
    bars: list  # charts.Bar, titled "02/2026 — Análise comercial: 75,0 % (3/4)"


@dataclass(frozen=True)
class Legend:
    x: int
    y: int  # the swatch's top; its text's baseline is 10 below
    colour: str
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


def build_chart(tables):
    """The chart of the utility's stages (figures.stage_tables), or None when no clock closed at all."""
    utility = [table for table in tables if table.utility]
    if not utility or not any(row.closed for table in utility for row in table.rows):
        return None
    months = [row.label for row in utility[0].rows]
    bar_width = min(FRAME.slot_width(len(months)) * 0.8 / len(utility), 14.0)
    slots = []
    for index, label in enumerate(months):
        centre = FRAME.centre(index, len(months))
        start = centre - bar_width * len(utility) / 2
        bars = [
            FRAME.bar(
                x=start + bar_width * position,
                width=bar_width * 0.9,
                value=row.within_pct,
                ceiling=100.0,
                colour=COLOURS[position % len(COLOURS)],
                title=f"{label} — {table.label}: {pct_br(row.within_pct)} ({row.within}/{row.closed})",
            )
            for position, table in enumerate(utility)
            # nothing closed: no bar (the table says "—")
            if (row := table.rows[index]).within_pct is not None
        ]
        slots.append(Slot(label=label, label_x=svg_number(centre), bars=bars))
    # Legend in two rows above the plot: the stages' names are long.
    legend = [
        Legend(
            x=FRAME.left + (position % 2) * (int(FRAME.plot_width) // 2),
            y=6 + (position // 2) * 16,
            colour=COLOURS[position % len(COLOURS)],
            label=table.label,
        )
        for position, table in enumerate(utility)
    ]
    return Chart(
        **FRAME.edges(),
        slots=slots,
        ticks=FRAME.ticks(TICKS, 100.0, lambda value: f"{value} %"),
        legend=legend,
    )
