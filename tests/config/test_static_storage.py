"""Production static files: hashed names, gzip copies, and plain names before the first collectstatic."""

import gzip
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.templatetags.static import static
from django.utils.functional import empty

BACKEND = "config.storage.HashedCompressedStaticStorage"


@pytest.fixture
def production_storage(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": BACKEND}}
    staticfiles_storage._wrapped = empty  # LazyObject: rebuilt with these settings
    yield tmp_path
    staticfiles_storage._wrapped = empty


def test_before_collectstatic_pages_still_render_with_plain_names(production_storage):
    assert static("css/site.css") == "/static/css/site.css"


def test_collectstatic_writes_hashed_names_and_gzip_copies(production_storage):
    call_command("collectstatic", "--noinput", "-v", "0")
    staticfiles_storage._wrapped = empty
    url = static("css/site.css")
    assert url.startswith("/static/css/site.") and url != "/static/css/site.css"
    hashed = production_storage / url.removeprefix("/static/")
    assert hashed.exists()
    packed = Path(f"{hashed}.gz")
    assert packed.exists() and gzip.decompress(packed.read_bytes()) == hashed.read_bytes()
    assert packed.stat().st_size < hashed.stat().st_size / 2
    assert not Path(production_storage / "icons" / "icon-192.png.gz").exists()  # PNG: already compressed
    with pytest.raises(ValueError):
        static("css/no-such-file.css")


def test_the_proxy_caches_hashed_names_for_a_year_and_serves_gzip():
    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text()
    assert "gzip_static on;" in conf and "gzip on;" in conf
    assert "expires 1y;" in conf and "immutable" in conf
