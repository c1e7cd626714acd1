"""Charts drawn on the server as SVG (SUP-8): a person reads them at a glance, without JavaScript.

Each chart comes with its text alternative — one sentence giving what the picture shows and its extremes — and
the page puts the data table beside it, so the figures are never only in a picture (RGAA 1.3, WCAG 1.1.1).
Drawn with matplotlib's object API (no pyplot, no global state: safe in a threaded server), text kept as SVG
text, and the output made deterministic so that the same data gives the same bytes.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import matplotlib

matplotlib.use("svg")
from django.utils.html import escape  # noqa: E402
from matplotlib import rcParams  # noqa: E402 — the backend is chosen before anything draws
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

rcParams["svg.fonttype"] = "none"
rcParams["svg.hashsalt"] = "habpps"
rcParams["font.family"] = "sans-serif"
rcParams["font.size"] = 10
# Names are text, never formulas: a section called « $x^$ » made mathtext raise and every supervisor get a 500.
rcParams["text.parse_math"] = False

# DSFR « bleu France » first, then colours told apart by people with the common colour-vision deficiencies.
PALETTE = ["#000091", "#e1000f", "#009081", "#b34000", "#6a6af4", "#5e2a2b", "#66673d", "#a558a0"]
LINE_STYLES = ["-", "--", "-.", ":"]


@dataclass(frozen=True)
class Chart:
    """An SVG picture and the sentence that says what it shows.

    Pages show it as an image (:attr:`data_uri`), never inline: matplotlib styles its shapes with ``style``
    attributes, which the site's ``style-src 'self'`` refuses in the page (every shape turned black) but which
    apply inside an image, a document of its own.
    """

    svg: str
    description: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode("ascii")


def line_chart(title: str, series: Mapping[str, Sequence[tuple[date, int]]], *, y_label: str) -> Chart:
    """One line per series over days (SUP-4); lines differ by colour *and* dash, never by colour alone."""
    figure = Figure(figsize=(8, 3.6), layout="constrained")
    axes = figure.add_subplot()
    for index, (name, points) in enumerate(series.items()):
        if not points:
            continue
        days, values = zip(*points, strict=True)
        axes.plot(
            days,
            values,
            label=name,
            color=PALETTE[index % len(PALETTE)],
            linestyle=LINE_STYLES[index % len(LINE_STYLES)],
            linewidth=2,
            drawstyle="steps-post",
        )
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    _style(axes, y_label)
    if series:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    return Chart(_svg(figure, title), _describe_lines(series))


def bar_chart(title: str, bars: Sequence[tuple[str, int]], *, x_label: str) -> Chart:
    """Horizontal bars, largest on top, each labelled with its value (SUP-5)."""
    ordered = sorted(bars, key=lambda bar: bar[1])
    figure = Figure(figsize=(8, max(2.4, 0.34 * len(ordered) + 1)), layout="constrained")
    axes = figure.add_subplot()
    labels = [label for label, _value in ordered]
    values = [value for _label, value in ordered]
    drawn = axes.barh(labels, values, color=PALETTE[0])
    axes.bar_label(drawn, labels=[_french_number(value) for value in values], padding=3, fontsize=8)
    _style(axes, x_label, horizontal=True)
    return Chart(_svg(figure, title), _describe_bars(bars))


def _style(axes, label: str, *, horizontal: bool = False) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if horizontal:
        axes.set_xlabel(label)
        axes.grid(axis="x", color="#dddddd")
    else:
        axes.set_ylabel(label)
        axes.grid(axis="y", color="#dddddd")
        axes.set_ylim(bottom=0)
    axes.set_axisbelow(True)


_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL)


def _svg(figure: Figure, title: str) -> str:
    """The figure as an inline ``<svg>`` with its title, stripped of what the page's CSP would refuse.

    matplotlib writes an XML prologue, RDF metadata and a ``<style>`` element (default line joins only); inline
    in HTML the prologue is invalid and the style element is refused by ``style-src 'self'``.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _STYLE.sub("", _METADATA.sub("", _PROLOGUE.sub("", buffer.getvalue(), count=1)))
    opening = svg.index(">")
    return (
        svg[:opening]
        + ' role="img" focusable="false" aria-hidden="true"'
        + svg[opening : opening + 1]
        + f"<title>{escape(title)}</title>"
        + svg[opening + 1 :]
    )


def _french_number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _describe_lines(series: Mapping[str, Sequence[tuple[date, int]]]) -> str:
    parts = []
    for name, points in series.items():
        if not points:
            continue
        (first_day, first), (last_day, last) = points[0], points[-1]
        peak_day, peak = max(points, key=lambda point: point[1])
        parts.append(
            f"« {name} » : {_french_number(first)} le {first_day:%d/%m/%Y}, {_french_number(last)} le "
            f"{last_day:%d/%m/%Y}, au plus haut {_french_number(peak)} le {peak_day:%d/%m/%Y}"
        )
    if not parts:
        return "Aucune donnée sur la période choisie."
    return "Évolution par profil — " + " ; ".join(parts) + "."


def _describe_bars(bars: Sequence[tuple[str, int]]) -> str:
    if not bars or not any(value for _label, value in bars):
        return "Aucune consultation sur la période choisie."
    ordered = sorted(bars, key=lambda bar: -bar[1])
    total = sum(value for _label, value in bars)
    top = ", ".join(f"« {label} » {_french_number(value)}" for label, value in ordered[:3])
    least_label, least = ordered[-1]
    return (
        f"{_french_number(total)} affichages de rubriques au total ; les plus consultées : {top} ; "
        f"la moins consultée : « {least_label} » ({_french_number(least)})."
    )
