"""Charts drawn on the server as accessible inline SVG: role="img", a <title> and a <desc> that states the figures.

No script is needed to read them, and every chart sits beside a table with the
same numbers. Labels are escaped; colours keep a 4.5:1 contrast on white.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#1d4f91", "#b3541e", "#2f6f3e")


def _fmt(value) -> str:
    return "–" if value is None else f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def bar_chart(chart_id: str, title: str, items: list[tuple[str, int | float | None]], *, unit: str = "") -> SafeString:
    """Horizontal bars, one per item, with the value written at the end of each bar."""
    row, label_w, width = 24, 150, 420
    height = row * max(1, len(items)) + 10
    top = max([v for _label, v in items if v] or [1])
    desc = "; ".join(f"{label}: {_fmt(value)}{unit}" for label, value in items)
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for index, (label, value) in enumerate(items):
        y = 5 + index * row
        bar = 0 if not value else max(2, round((width - label_w - 60) * value / top))
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="12" fill="#1a1a1a">'
            f"{escape(label if len(label) <= 24 else label[:23] + '…')}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{bar}" height="{row - 8}" fill="{COLOURS[0]}"/>'
            f'<text x="{label_w + bar + 5}" y="{y + 17}" font-size="12" fill="#1a1a1a">'
            f"{escape(_fmt(value))}{unit}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def column_chart(chart_id: str, title: str, categories: list[str], series: list[tuple[str, list[int]]]) -> SafeString:
    """Grouped columns per category (e.g. months), with a legend; the values are also in the <desc>."""
    width, height, bottom, left = 420, 240, 200, 30
    top = max([v for _n, values in series for v in values] or [1]) or 1
    group_w = (width - left - 10) / max(1, len(categories))
    bar_w = max(2.0, group_w / (len(series) + 1))
    desc = "; ".join(
        f"{category}: " + ", ".join(f"{name} {_fmt(values[i])}" for name, values in series)
        for i, category in enumerate(categories)
    )
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {width} {height + 30}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line x1="{left}" y1="{bottom}" x2="{width - 5}" y2="{bottom}" stroke="#555"/>',
        f'<text x="{left - 4}" y="{bottom - 180 + 4}" font-size="11" text-anchor="end">{_fmt(top)}</text>',
        f'<text x="{left - 4}" y="{bottom + 4}" font-size="11" text-anchor="end">0</text>',
    ]
    for i, category in enumerate(categories):
        x0 = left + i * group_w
        for s, (_name, values) in enumerate(series):
            h = round(180 * values[i] / top)
            parts.append(
                f'<rect x="{x0 + s * bar_w + bar_w / 2:.1f}" y="{bottom - h}" width="{bar_w:.1f}" height="{h}" '
                f'fill="{COLOURS[s % len(COLOURS)]}"/>'
            )
        if len(categories) <= 13 or i % max(1, len(categories) // 12) == 0:
            parts.append(
                f'<text x="{x0 + group_w / 2:.1f}" y="{bottom + 15}" font-size="11" text-anchor="middle">'
                f"{escape(category[-5:])}</text>"
            )
    for s, (name, _values) in enumerate(series):
        x = left + s * 150
        parts.append(
            f'<rect x="{x}" y="{height + 12}" width="12" height="12" fill="{COLOURS[s % len(COLOURS)]}"/>'
            f'<text x="{x + 16}" y="{height + 22}" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
