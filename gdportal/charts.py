"""The geometry of the portal's bar charts, drawn on the server as inline SVG: no JavaScript library, nothing
from a CDN. The transparency page (monthly shares within the deadline) and the compensation statement
(consumption, injection and the credit balance per cycle) each lay their own bars out on this frame.

Only numbers are here; each chart's template draws them with its <title>, <desc> and a table of the same
figures for screen readers. Coordinates are strings with a dot, formatted here: a template's localization
would print a float with the pt-BR decimal comma, which SVG does not read.
"""

from dataclasses import dataclass


def svg_number(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    colour: str = ""
    title: str = ""


@dataclass(frozen=True)
class Tick:
    y: str
    label: str


@dataclass(frozen=True)
class Frame:
    """The drawing (width × height) and the plot inside its margins: room for the y labels on the left, a
    legend above, the slots' labels below. Values go from 0 at the plot's bottom to `ceiling` at its top."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def baseline(self) -> float:
        return self.height - self.bottom

    def slot_width(self, count: int) -> float:
        return self.plot_width / count

    def centre(self, index: int, count: int) -> float:
        """The middle of the index-th of `count` equal slots across the plot."""
        return self.left + self.slot_width(count) * (index + 0.5)

    def y_of(self, value, ceiling: float) -> float:
        return self.baseline - self.plot_height * max(float(value), 0.0) / ceiling

    def bar(self, *, x: float, width: float, value, ceiling: float, **text) -> Bar:
        """A bar from the baseline up to `value`; `text`: its colour and title, where a chart has them."""
        y = self.y_of(value, ceiling)
        return Bar(svg_number(x), svg_number(y), svg_number(width), svg_number(self.baseline - y), **text)

    def ticks(self, values, ceiling: float, label) -> list:
        """Horizontal guides at `values`, each labelled by label(value)."""
        return [Tick(y=svg_number(self.y_of(value, ceiling)), label=label(value)) for value in values]

    def edges(self) -> dict:
        """What every chart's template places its axes with (the Chart dataclasses' common fields)."""
        return {
            "width": self.width,
            "height": self.height,
            "left": self.left,
            "right": svg_number(self.width - self.right),
            "bottom": svg_number(self.baseline),
        }
