"""In Chromium: the answer page's share panel (copy link with and without JavaScript), its Open Graph
tags, and the favicon and manifest the browser loads, all under the site's Content-Security-Policy."""

import json
from urllib.parse import quote

import pytest

from tests.browser import new_page
from tests.factories import PublishedQuestionFactory
from tests.qa.test_browser_guest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_share_panel_open_graph_favicon_and_manifest(browser, live_server):
    question = PublishedQuestionFactory(public_title="Cấp đổi sổ đỏ", contact__email="rieng@example.vn")
    url = f"{live_server.url}{question.get_absolute_url()}"
    page = new_page(browser, live_server.url, **PHONE)
    try:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        failed = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        page.goto(url)
        assert page.get_attribute("meta[property='og:title']", "content") == "Cấp đổi sổ đỏ"
        assert page.get_attribute("meta[property='og:url']", "content") == url
        assert page.get_attribute("link[rel=canonical]", "href") == url
        assert "rieng@example.vn" not in page.content()
        encoded = quote(url, safe="")
        assert page.get_attribute(".share-facebook", "href").endswith(f"?u={encoded}")
        assert page.get_attribute(".share-zalo", "href").endswith(f"?url={encoded}")
        # Copy link: the button appears with JavaScript and puts the address on the clipboard.
        page.click(".js-copy-link")
        page.wait_for_function("document.querySelector('.share-copy-status').textContent.length > 0")
        assert page.evaluate("navigator.clipboard.readText()") == url
        assert page.inner_text(".share-copy-status") == "Đã sao chép đường dẫn."
        # The favicon and the manifest load from this origin, with the icons the manifest names.
        for selector in ("link[rel=icon][type='image/svg+xml']", "link[rel=manifest]"):
            href = page.get_attribute(selector, "href")
            assert page.request.get(f"{live_server.url}{href}").ok
        manifest = json.loads(page.request.get(f"{live_server.url}/manifest.webmanifest").text())
        for icon in manifest["icons"]:
            assert page.request.get(f"{live_server.url}{icon['src']}").ok
        assert failed == []
    finally:
        page.context.close()

    # Without JavaScript: no copy button, the address is there to select.
    plain = new_page(browser, live_server.url, java_script_enabled=False)
    try:
        plain.goto(url)
        assert not plain.locator(".js-copy-link").is_visible()
        assert plain.locator("#share-url").is_visible() and plain.input_value("#share-url") == url
    finally:
        plain.context.close()
