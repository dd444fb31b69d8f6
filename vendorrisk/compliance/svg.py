"""Charts drawn on the server as inline SVG: no scripts, no external files."""
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, the list it links to and a CSS class for its colour."""

    label: str
    value: int
    href: str = ""
    css: str = ""


def _width(text: str) -> float:
    """Room a text takes, in average Latin characters (wide CJK characters count double)."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1.1 for char in text)


def _fit(label: str, width_px: int) -> str:
    """Shorten a label to the room it has (wide CJK characters count double), with an ellipsis."""
    room, used = width_px / 7, 0.0
    for index, char in enumerate(label):
        used += _width(char)
        if used > room:
            return label[:max(1, index - 1)] + "…"
    return label


def _common(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _fit_around(label: str, differs_at: int, width_px: int) -> str:
    """``label`` cut in the middle so that what sets it apart stays in sight: its start, an
    ellipsis, then the part from ``differs_at`` on (or as much of its end as fits, when the
    label is the shorter of two names that start alike)."""
    head = _fit(label, width_px * 2 // 5).rstrip("…")
    if differs_at < len(head):  # the start already differs
        return _fit(label, width_px)
    room = width_px / 7 - _width(head + "…")
    if differs_at >= len(label):
        start = len(label)
        while start > len(head) and _width(label[start - 1:]) <= room:
            start -= 1
        return head + "…" + label[start:]
    return head + "…" + _fit(label[differs_at:], round(room * 7))


def fit_labels(labels: list[str], width_px: int) -> list[str]:
    """Each label shortened to ``width_px``; labels that would then read alike (two vendors named
    alike up to the cut) are cut in the middle instead, keeping the part where they differ."""
    cut = [_fit(label, width_px) for label in labels]
    shown = list(cut)
    for i, label in enumerate(labels):
        rivals = [other for j, other in enumerate(labels) if j != i and cut[j] == cut[i] and other != label]
        if rivals:
            shown[i] = _fit_around(label, max(_common(label, other) for other in rivals), width_px)
    return shown


def bar_chart(bars: list[Bar], title: str, width: int = 420, bar_height: int = 22) -> Markup:
    """A horizontal bar chart; each bar and its number link to the bar's list."""
    label_w, gap, value_w = 150, 6, 48
    height = max(1, len(bars)) * (bar_height + gap) + gap
    largest = max([b.value for b in bars] + [1])
    span = width - label_w - value_w
    parts = [f'<svg class="chart bars" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    labels = fit_labels([bar.label for bar in bars], label_w - 10)
    for index, bar in enumerate(bars):
        y = gap + index * (bar_height + gap)
        length = 0 if bar.value == 0 else max(2, round(span * bar.value / largest))
        inner = (f'<text x="{label_w - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
                 f'<title>{escape(bar.label)}</title>{escape(labels[index])}</text>'
                 f'<rect class="bar {escape(bar.css)}" x="{label_w}" y="{y}" width="{length}" height="{bar_height}" rx="3"/>'
                 f'<text class="value" x="{label_w + length + 6}" y="{y + bar_height * 0.7:.1f}">{bar.value}</text>')
        if bar.href:
            inner = f'<a href="{escape(bar.href)}" data-figure="{escape(bar.label)}">{inner}</a>'
        parts.append(f"<g>{inner}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(points: list[tuple[str, int]], title: str, width: int = 640, height: int = 220) -> Markup:
    """A line chart of values over labelled points (months), with axes and value labels."""
    left, right, top, bottom = 44, 40, 16, 34  # room for the last month's label
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [f'<svg class="chart line" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>',
             f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>']
    if not points:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">–</text></svg>')
        return Markup("".join(parts))
    largest = max([v for _l, v in points] + [1])
    parts.append(f'<text class="tick" x="{left - 6}" y="{top + 4}" text-anchor="end">{largest}</text>'
                 f'<text class="tick" x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>')
    step = plot_w / max(1, len(points) - 1)
    coords = []
    for index, (label, value) in enumerate(points):
        x = left + (index * step if len(points) > 1 else plot_w / 2)
        y = top + plot_h - plot_h * value / largest
        coords.append((x, y))
        parts.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5"><title>{escape(label)}: {value}</title></circle>'
                     f'<text class="tick" x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{value}</text>'
                     f'<text class="tick" x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle">{escape(label)}</text>')
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts.insert(3, f'<polyline class="trend" fill="none" points="{path}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
