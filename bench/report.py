"""The results: one table of targets (printed and written to bench/results/<date>.md), details, and an SVG plot."""

import json
import math
import os
import platform
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

from . import stack


def _run(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict:
    """What the figures depend on: hardware, load, and the versions of every piece of the stack."""
    from importlib.metadata import version

    import django
    import psycopg
    import redis

    cpu = ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        mem_kib = int(info.readline().split()[1])
    pg_version = ""
    with psycopg.connect(f"{stack.PG_URL}/postgres") as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    redis_info = redis.Redis.from_url(stack.REDIS_URL).info("server")

    def pkg(name: str) -> str:
        try:
            return version(name)
        except Exception:
            return "?"

    ws_version = ""
    lock = stack.NODE_DIR / "package-lock.json"
    if lock.exists():
        ws_version = json.loads(lock.read_text())["packages"].get("node_modules/ws", {}).get("version", "")
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "uvicorn": pkg("uvicorn"),
        "websockets": pkg("websockets"),
        "channels": pkg("channels"),
        "channels_redis": pkg("channels-redis"),
        "redis_py": redis.__version__,
        "psycopg": psycopg.__version__,
        "postgresql": pg_version,
        "redis_server": redis_info.get("redis_version", "?"),
        "node": _run(["node", "--version"]),
        "ws": ws_version,
        "git": _run(["git", "-C", str(stack.ROOT), "rev-parse", "--short", "HEAD"]),
    }


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def fmt(value, unit: str = "", digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and math.isnan(value):
        return "–"
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}".strip()


def table(rows: list[tuple[str, str, str, bool | None]]) -> str:
    lines = ["| # | target | measured | met |", "|---|---|---|---|"]
    for i, (target, goal, measured, met) in enumerate(rows, 1):
        mark = "yes" if met else ("no" if met is not None else "n/a")
        lines.append(f"| {i} | {target} ({goal}) | {measured} | {mark} |")
    return "\n".join(lines)


# --- The plot -------------------------------------------------------------------------------------

COLOURS = ["#1b6ca8", "#c0392b", "#27864a", "#8e44ad", "#d68910", "#34495e"]


def _log_ticks(low: float, high: float) -> list[float]:
    ticks = []
    exponent = math.floor(math.log10(low))
    while 10**exponent <= high * 1.0001:
        for mantissa in (1, 2, 5):
            value = mantissa * 10**exponent
            if low <= value <= high:
                ticks.append(value)
        exponent += 1
    return ticks


def _panel(x0: float, title: str, xlabel: str, ylabel: str, series: list[tuple[str, list[tuple[float, float]]]]) -> str:
    """One log-log panel 440×300 at x offset x0: lines with points, axes, ticks and a legend."""
    width, height, left, top, plot_w, plot_h = 440, 300, 60, 30, 360, 210
    points = [p for _, pts in series for p in pts if p[0] and p[1]]
    if not points:
        return ""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x_low, x_high = min(xs) / 1.5, max(xs) * 1.5
    y_low, y_high = min(ys) / 2, max(ys) * 2

    def px(x):
        return x0 + left + (math.log10(x) - math.log10(x_low)) / (math.log10(x_high) - math.log10(x_low)) * plot_w

    def py(y):
        return top + plot_h - (math.log10(y) - math.log10(y_low)) / (math.log10(y_high) - math.log10(y_low)) * plot_h

    parts = [
        f'<rect x="{x0}" y="0" width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="{x0 + width / 2}" y="18" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{x0 + left}" y1="{top + plot_h}" x2="{x0 + left + plot_w}" y2="{top + plot_h}" stroke="#333"/>',
        f'<line x1="{x0 + left}" y1="{top}" x2="{x0 + left}" y2="{top + plot_h}" stroke="#333"/>',
        f'<text x="{x0 + left + plot_w / 2}" y="{top + plot_h + 34}" text-anchor="middle">{escape(xlabel)}</text>',
        f'<text x="{x0 + 14}" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 {x0 + 14} {top + plot_h / 2})">{escape(ylabel)}</text>',
    ]
    for tick in _log_ticks(y_low, y_high):
        y = py(tick)
        parts.append(f'<line x1="{x0 + left}" y1="{y:.1f}" x2="{x0 + left + plot_w}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{x0 + left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>')
    for tick in sorted(set(xs)):
        x = px(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" stroke="#333"/>')
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{tick:,.0f}</text>')
    for index, (name, pts) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        pts = [p for p in pts if p[0] and p[1]]
        if not pts:
            continue
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        dash = ' stroke-dasharray="5,3"' if "p99" in name or "p95" in name else ""
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for x, y in pts:
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        legend_y = top + 8 + index * 14
        parts.append(
            f'<line x1="{x0 + left + 8}" y1="{legend_y}" x2="{x0 + left + 26}" y2="{legend_y}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        parts.append(f'<text x="{x0 + left + 30}" y="{legend_y + 4}">{escape(name)}</text>')
    return "\n".join(parts)


def svg(fanout_series, archive_series) -> str:
    panels = [
        _panel(0, "Live fan-out: last watcher's receipt", "watchers", "ms after commit", fanout_series),
        _panel(450, "Archive at the server (p95)", "published questions", "ms", archive_series),
    ]
    body = "\n".join(p for p in panels if p)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="890" height="300" font-family="sans-serif" font-size="11">\n'
        f"{body}\n</svg>\n"
    )


def write(results_dir: Path, stem: str, markdown: str, data: dict, plot: str) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{stem}.svg").write_text(plot)
    (results_dir / f"{stem}.json").write_text(json.dumps(data, indent=2, default=str))
    path = results_dir / f"{stem}.md"
    path.write_text(markdown)
    return path
