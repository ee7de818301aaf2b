"""The favicon, the home-screen icons and the web app manifest."""

import json
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageChops

from config import icons

ICONS = Path(settings.BASE_DIR) / "static" / "icons"


def test_the_committed_icons_are_what_the_generator_draws():
    assert (ICONS / "icon.svg").read_text(encoding="utf-8") == icons.svg()
    for name, size, star, rounded in icons.PNGS:
        committed = Image.open(ICONS / name).convert("RGBA")
        assert committed.size == (size, size)
        drawn = Image.open(BytesIO(icons.png(size, star, rounded))).convert("RGBA")
        # Same picture (a Pillow upgrade may change a few edge pixels by a step or two, not the drawing).
        assert max(band[1] for band in ImageChops.difference(committed, drawn).getextrema()) <= 8


def test_the_icon_is_the_gold_star_on_red():
    image = Image.open(ICONS / "icon-512.png").convert("RGB")
    assert image.getpixel((256, 270)) == (0xFF, 0xD5, 0x4A)  # the star's middle
    assert image.getpixel((40, 256)) == (0xB1, 0x1F, 0x24)  # the red field
    maskable = Image.open(ICONS / "icon-maskable-512.png").convert("RGBA")
    assert maskable.getpixel((0, 0)) == (0xB1, 0x1F, 0x24, 255)  # full bleed: no transparent corner
    # The star stays inside the maskable safe zone (a centred circle of 40 % radius).
    for x in range(512):
        for y in (60, 451):
            assert maskable.getpixel((x, y))[:3] == (0xB1, 0x1F, 0x24)


@pytest.mark.django_db
def test_every_page_links_the_favicon_and_the_manifest():
    page = Client().get(reverse("qa:home")).content.decode()
    assert '<link rel="icon" href="/static/icons/icon.svg" type="image/svg+xml">' in page
    assert '<link rel="icon" href="/static/icons/favicon-32.png" sizes="32x32" type="image/png">' in page
    assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in page
    assert f'<link rel="manifest" href="{reverse("qa:web_manifest")}">' in page
    assert '<meta name="theme-color" content="#b11f24">' in page


@pytest.mark.django_db
def test_the_manifest():
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content.decode("utf-8"))
    assert manifest["name"] == "Hỏi đáp & Đối thoại"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#b11f24"
    sizes = {icon["sizes"]: icon for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= set(sizes)
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/icons/")
        assert (ICONS / icon["src"].rsplit("/", 1)[1]).exists()
