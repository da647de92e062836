"""The dashboard's revenue chart, drawn on the server: bar geometry for an inline SVG.

The template turns these numbers into <rect> elements, so no markup is built in Python and no
JavaScript is needed.
"""

from dataclasses import dataclass

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28  # room for the axis labels
GAP = 2


@dataclass(frozen=True)
class Bar:
    day: object
    cents: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class GridLine:
    y: float
    cents: int


@dataclass(frozen=True)
class RevenueChart:
    currency: str
    bars: list
    grid: list
    total_cents: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    label_y: float = HEIGHT - BOTTOM + 18

    @property
    def first_day(self):
        return self.bars[0].day

    @property
    def last_day(self):
        return self.bars[-1].day


def revenue_chart(currency, cents_per_day: dict) -> RevenueChart:
    """One bar per day (in the dict's order), scaled to a round maximum, with grid lines at half and full height."""
    days = list(cents_per_day)
    top = _round_up(max(cents_per_day.values(), default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bars = []
    for position, day in enumerate(days):
        cents = cents_per_day[day]
        height = plot_height * cents / top
        bars.append(
            Bar(
                day=day,
                cents=cents,
                x=round(LEFT + position * slot + GAP / 2, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot - GAP, 1),
                height=round(height, 1),
            )
        )
    grid = [GridLine(y=round(TOP + plot_height * (1 - share), 1), cents=int(top * share)) for share in (0.5, 1)]
    return RevenueChart(currency=currency, bars=bars, grid=grid, total_cents=sum(cents_per_day.values()))


def _round_up(cents):
    """A readable top for the axis: 1, 2 or 5 times a power of ten (in whole currency units)."""
    step = 100
    while True:
        for factor in (1, 2, 5):
            if cents <= step * factor:
                return step * factor
        step *= 10
