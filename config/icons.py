"""The site's icon, drawn here: a gold five-pointed star on the portal's red, as the header's emblem.

One geometry gives the SVG favicon and the PNG sizes browsers and the web app manifest ask for.
Run `python -m config.icons` to redraw static/icons/ after a change; tests/config/test_icons.py
checks the committed files are what this draws.
"""

import math
from io import BytesIO
from pathlib import Path

RED = "#b11f24"
GOLD = "#ffd54a"
VIEW = 64  # the SVG's viewBox side; PNGs scale it
# (file name, pixel size, star radius as a share of the side, rounded corners)
PNGS = [
    ("favicon-32.png", 32, 0.40, True),
    ("apple-touch-icon.png", 180, 0.36, False),  # iOS rounds the corners itself
    ("icon-192.png", 192, 0.40, True),
    ("icon-512.png", 512, 0.40, True),
    ("icon-maskable-512.png", 512, 0.30, False),  # the star inside the maskable safe zone (80 % circle)
]
ICON_DIR = Path(__file__).resolve().parent.parent / "static" / "icons"


def star_points(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    """Ten corners of a regular five-pointed star, the first point straight up."""
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def svg() -> str:
    # The star's centre sits a little low so the figure looks centred (its points reach higher than its feet).
    points = " ".join(f"{x:.2f},{y:.2f}" for x, y in star_points(VIEW / 2, VIEW / 2 + 2.5, VIEW * 0.40))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {VIEW} {VIEW}">'
        f'<rect width="{VIEW}" height="{VIEW}" rx="12" fill="{RED}"/>'
        f'<polygon points="{points}" fill="{GOLD}"/></svg>\n'
    )


def png(size: int, star: float, rounded: bool) -> bytes:
    from PIL import Image, ImageDraw

    scale = 4  # drawn large, then reduced: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 12 // VIEW, fill=RED)
    else:
        draw.rectangle((0, 0, big - 1, big - 1), fill=RED)
    draw.polygon(star_points(big / 2, big / 2 + big * 2.5 / VIEW, big * star), fill=GOLD)
    out = BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_all(directory: Path = ICON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / "icon.svg"]
    written[0].write_text(svg(), encoding="utf-8")
    for name, size, star, rounded in PNGS:
        path = directory / name
        path.write_bytes(png(size, star, rounded))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
