"""Charts drawn on the server as inline SVG: no JavaScript library, no CDN, nothing to install, and
they print, scale and work offline. Bars link to the records behind them like the tables do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Bootstrap 5 palette, so the charts match the page
BLUE, GREEN, ORANGE, RED, PURPLE, TEAL, GREY = (
    "#0d6efd",
    "#198754",
    "#fd7e14",
    "#dc3545",
    "#6f42c1",
    "#20c997",
    "#adb5bd",
)
SERIES_COLOURS = [BLUE, GREEN, ORANGE, PURPLE, TEAL, RED]
FONT = "font-family=\"system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif\""


@dataclass
class Series:
    label: str
    values: Sequence[float | None]
    colour: str = BLUE


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_max: float | None = 100,
    unit: str = "%",
    width: int = 640,
    height: int = 250,
) -> SafeString:
    """Lines over months; a None is a gap (a month not closed), not a zero."""
    left, right, top, bottom = 40, 10, 34, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    y_top = y_max if y_max is not None else (max(values) * 1.1 if values else 1) or 1
    n = max(len(x_labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h - (plot_h * min(max(v, 0), y_top) / y_top)

    out = [
        f'<svg class="kpi-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for k in range(5):  # grid lines and y labels
        v = y_top * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e9ecef"/>')
        out.append(f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#6c757d">{_num(v)}{unit}</text>')
    step = max(1, n // 12)
    for i, label in enumerate(x_labels):
        if i % step == 0:
            out.append(
                f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle" fill="#6c757d">{escape(label)}</text>'
            )
    lx = left
    for s in series:  # legend
        out.append(
            f'<rect x="{lx}" y="8" width="10" height="10" fill="{s.colour}"/>'
            f'<text x="{lx + 14}" y="17" fill="#212529">{escape(s.label)}</text>'
        )
        lx += 22 + 12 * len(s.label) if any(ord(ch) > 0x2E80 for ch in s.label) else 22 + 6.5 * len(s.label)
    for s in series:
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(s.values):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(v):.1f}")
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{s.colour}">'
                f"<title>{escape(s.label)} {escape(x_labels[i])}: {_num(v)}{unit}</title></circle>"
            )
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) > 1:
                out.append(f'<polyline fill="none" stroke="{s.colour}" stroke-width="2" points="{" ".join(seg)}"/>')
    out.append("</svg>")
    return mark_safe("".join(out))


@dataclass
class Segment:
    label: str
    value: float
    colour: str
    url: str | None = None


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[Segment]]], *, title: str, width: int = 640, bar: int = 22
) -> SafeString:
    """One horizontal bar per row, split into segments in proportion (composition: done / due /
    overdue, tickets by state…). Each segment links to its records."""
    label_w, right, top = 120, 50, 30
    plot_w = width - label_w - right
    height = top + len(rows) * (bar + 10) + 10
    out = [
        f'<svg class="kpi-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    legend: dict[str, str] = {}
    for r, (label, segments) in enumerate(rows):
        y = top + r * (bar + 10)
        total = sum(s.value for s in segments) or 0
        out.append(
            f'<text x="{label_w - 6}" y="{y + bar * 0.7:.1f}" text-anchor="end" fill="#212529">{escape(label)}</text>'
        )
        x = float(label_w)
        if not total:
            out.append(f'<rect x="{x}" y="{y}" width="{plot_w}" height="{bar}" fill="#f8f9fa" stroke="#dee2e6"/>')
        for s in segments:
            legend.setdefault(s.label, s.colour)
            if not s.value or not total:
                continue
            w = plot_w * s.value / total
            rect = (
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{s.colour}">'
                f"<title>{escape(label)} · {escape(s.label)}: {_num(s.value)}</title></rect>"
            )
            if w > 24:
                rect += (
                    f'<text x="{x + w / 2:.1f}" y="{y + bar * 0.7:.1f}" text-anchor="middle" fill="#fff">'
                    f"{_num(s.value)}</text>"
                )
            out.append(f'<a href="{escape(s.url)}">{rect}</a>' if s.url else rect)
            x += w
        out.append(f'<text x="{label_w + plot_w + 6}" y="{y + bar * 0.7:.1f}" fill="#6c757d">{_num(total)}</text>')
    lx = label_w
    for label, colour in legend.items():
        out.append(
            f'<rect x="{lx}" y="8" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="17" fill="#212529">{escape(label)}</text>'
        )
        lx += 30 + 12 * len(label) if any(ord(ch) > 0x2E80 for ch in label) else 30 + 6.5 * len(label)
    out.append("</svg>")
    return mark_safe("".join(out))


def bars(
    rows: Sequence[tuple[str, float | None, str | None]],
    *,
    title: str,
    unit: str = "%",
    x_max: float | None = 100,
    width: int = 640,
    bar: int = 16,
    colour: str = BLUE,
) -> SafeString:
    """Horizontal bars, one per row (a ranking)."""
    label_w, right, top = 140, 60, 8
    plot_w = width - label_w - right
    height = top + len(rows) * (bar + 6) + 8
    values = [v for _l, v, _u in rows if v is not None]
    top_v = x_max if x_max is not None else (max(values) if values else 1) or 1
    out = [
        f'<svg class="kpi-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for r, (label, v, url) in enumerate(rows):
        y = top + r * (bar + 6)
        text = (
            f'<text x="{label_w - 6}" y="{y + bar * 0.75:.1f}" text-anchor="end" fill="#212529">{escape(label)}</text>'
        )
        out.append(f'<a href="{escape(url)}">{text}</a>' if url else text)
        w = 0 if v is None else plot_w * max(min(v, top_v), 0) / top_v
        out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}"/>')
        out.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar * 0.75:.1f}" fill="#6c757d">'
            f"{'—' if v is None else _num(v) + unit}</text>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))
