"""Bar and line charts drawn on the server as inline SVG: the geometry here, the markup in admin/_charts.html."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

COLOURS = ("#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str  # shown on hover and read by screen readers


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # x centre and label of each group
    top: str  # the value the chart's height stands for
    legend: list[tuple[str, str]]  # (colour, series name)
    baseline: float


def bar_chart(groups: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, percent: bool = False,
              width: int = 640, height: int = 200) -> Chart:
    """Grouped bars: one group per label, one bar per series; values scaled to the tallest one."""
    pad_top, pad_bottom = 10.0, 24.0
    plot = height - pad_top - pad_bottom
    tallest = max((v for _, values in series for v in values), default=0.0) or 1.0
    slot = width / max(len(groups), 1)
    bar_w = slot * 0.8 / max(len(series), 1)
    show = (lambda v: f"{v:.0%}") if percent else (lambda v: f"{v:g}")
    bars = []
    for s, (name, values) in enumerate(series):
        for g, value in enumerate(values):
            h = plot * value / tallest
            bars.append(Bar(round(g * slot + slot * 0.1 + s * bar_w, 1), round(pad_top + plot - h, 1), round(bar_w, 1),
                            round(h, 1), COLOURS[s % len(COLOURS)], f"{groups[g]} · {name}: {show(value)}"))
    ticks = [(round(g * slot + slot / 2, 1), label) for g, label in enumerate(groups)]
    legend = [(COLOURS[s % len(COLOURS)], name) for s, (name, _) in enumerate(series)]
    return Chart(width, height, bars, ticks, show(tallest), legend, pad_top + plot)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Line:
    colour: str
    points: str  # the SVG polyline's "x,y x,y …"
    dots: list[Dot]


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    lines: list[Line]
    ticks: list[tuple[float, str]]  # x and label of a few dates
    guides: list[tuple[float, str]]  # y and label of the highest and lowest values
    legend: list[tuple[str, str]]
    baseline: float


def line_chart(series: Sequence[tuple[str, Sequence[tuple[date, float]]]], *, unit: str = "", width: int = 640,
               height: int = 200, max_ticks: int = 6) -> LineChart:
    """Values over dates: one line per series, x proportional to time, y between the lowest and highest value."""
    pad_top, pad_bottom, pad_x = 12.0, 24.0, 24.0
    plot = height - pad_top - pad_bottom
    days = sorted({day for _, points in series for day, _ in points})
    values = [v for _, points in series for _, v in points]
    low, high = min(values, default=0.0), max(values, default=0.0)
    margin = (high - low) * 0.08 or max(abs(high) * 0.05, 1.0)
    bottom, top = low - margin, high + margin
    span = (days[-1] - days[0]).days if days else 0
    show = lambda v: f"{round(v, 1):g} {unit}".rstrip()  # noqa: E731

    def x_of(day: date) -> float:
        return round(pad_x + (width - 2 * pad_x) * (day - days[0]).days / span, 1) if span else width / 2

    def y_of(value: float) -> float:
        return round(pad_top + plot * (top - value) / (top - bottom), 1)

    lines = []
    for s, (name, points) in enumerate(series):
        ordered = sorted(points)
        dots = [Dot(x_of(d), y_of(v), f"{d:%d/%m/%Y} · {name}: {show(v)}") for d, v in ordered]
        lines.append(Line(COLOURS[s % len(COLOURS)], " ".join(f"{d.x},{d.y}" for d in dots), dots))
    count = min(max_ticks, len(days))
    tick_days = sorted({days[0] + timedelta(days=round(span * i / (count - 1))) for i in range(count)}) if count > 1 else days
    ticks = [(x_of(day), f"{day:%d/%m}" if span < 300 else f"{day:%m/%Y}") for day in tick_days]
    guides = [(y_of(high), show(high))] + ([(y_of(low), show(low))] if values and low != high else [])
    legend = [(COLOURS[s % len(COLOURS)], name) for s, (name, _) in enumerate(series)]
    return LineChart(width, height, lines, ticks, guides if values else [], legend, pad_top + plot)
