"""Shared by the browser tests of issue 18: axe scans, layout-shift measurement, README screenshots.

- `axe_serious(page)`: axe-core (axe-playwright-python, bundled, nothing fetched) on the page; the serious and
  critical violations, which must be none.
- `CLS_OBSERVER` (an init script) and `cls(page)`: the cumulative layout shift as Chromium reports it through
  a PerformanceObserver of "layout-shift" entries (shifts right after input excluded, as in the metric).
- `doc_shot(page, name)`: with UPDATE_DOCS_SCREENSHOTS=1, a small PNG of the visible screen in
  docs/screenshots/ (shown in the README's tour); otherwise in /tmp/shots for a person to look at.
"""

import io
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC_SHOTS = ROOT / "docs" / "screenshots"
TMP_SHOTS = Path("/tmp/shots")  # noqa: S108 (screenshots for a human to look at, nothing secret)
PHONE_390 = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}

CLS_OBSERVER = """
window.__cls = 0;
window.__clsEntries = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) {
    if (!entry.hadRecentInput) {
      window.__cls += entry.value;
      window.__clsEntries.push({value: entry.value, sources: (entry.sources || []).map(function (s) {
        return s.node ? (s.node.id || s.node.className || s.node.nodeName) : "?";
      })});
    }
  });
}).observe({type: "layout-shift", buffered: true});
"""


def axe_serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response.get("violations", []):
        if violation.get("impact") in ("serious", "critical"):
            targets = [", ".join(node.get("target", [])) for node in violation.get("nodes", [])][:3]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def slow_phone(page) -> None:
    """Lighthouse's mobile conditions, roughly (slow 4G, CPU 4x slower): on a fast local run scripts finish
    before the first paint, and shifts that real phones see (a header folded by a deferred script) go unseen."""
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8},
    )


def cls(page, settle_ms: int = 1500) -> tuple[float, list]:
    """The page's layout shift so far, after letting late content (fonts, images, scripts) settle."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(settle_ms)
    return page.evaluate("window.__cls"), page.evaluate("window.__clsEntries")


def doc_shot(page, name: str) -> Path:
    """The visible screen as a PNG; for docs/, reduced to a 96-colour palette (a third of the size)."""
    target = DOC_SHOTS if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1" else TMP_SHOTS
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{name}.png"
    png = page.screenshot(full_page=False)
    if target == DOC_SHOTS:
        from PIL import Image

        image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=96, method=Image.Quantize.MEDIANCUT)
        image.save(path, optimize=True)
    else:
        path.write_bytes(png)
    return path
