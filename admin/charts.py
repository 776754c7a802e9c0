"""Bar charts drawn on the server as inline SVG: the geometry here, the markup in admin/_charts.html."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

COLOURS = ("#2563eb", "#16a34a", "#dc2626", "#9333ea")


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
