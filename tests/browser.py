"""Playwright in headless Debian Chromium, shared by the browser tests.

Playwright's own browser download does not work here, so the system Chromium is
driven through executable_path. Every request that does not go to the test
server is aborted, so a stray CDN link or outside font fails the test.
"""

import os
import shutil
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop marked as running in this thread while it
    # is open, so it is closed after each module and tests elsewhere may use asyncio (or their own browser).
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium is missing at {CHROMIUM}")
        pytest.skip(f"Chromium is missing at {CHROMIUM}")
    # Playwright's sync API refuses to run inside a running event loop; pytest-asyncio may leave one.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# Content-Security-Policy violations seen by any page of the running test (tests that drive the browser fail on
# any: _no_csp_violations below). Chromium reports each to the page's console ("Refused to …") and fires a
# securitypolicyviolation event, which the init script copies to the console with a marker.
CSP_VIOLATIONS: list[str] = []
_CSP_MARKER = "csp-violation:"
_CSP_LISTENER = (
    "document.addEventListener('securitypolicyviolation', function (e) {"
    f"  console.error('{_CSP_MARKER} ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline')"
    "    + ' on ' + e.documentURI + ' (' + (e.sourceFile || '') + ':' + e.lineNumber + ')');"
    "});"
)


def _record_csp(message) -> None:
    text = message.text
    if text.startswith(_CSP_MARKER) or ("Content Security Policy" in text and "Refused to" in text):
        CSP_VIOLATIONS.append(text)


def new_page(browser, base_url: str, **context_options):
    """A page in a fresh context (own cookies) that may only reach `base_url` and reports CSP violations."""
    allowed = urlparse(base_url).netloc
    context = browser.new_context(locale="vi-VN", **context_options)
    context.set_default_timeout(15_000)
    context.add_init_script(_CSP_LISTENER)
    context.on("console", _record_csp)

    def guard(route):
        if urlparse(route.request.url).netloc == allowed or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    return context.new_page()


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """Every browser test also proves its pages run under the site's Content-Security-Policy."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == [], "Content-Security-Policy violations:\n" + "\n".join(CSP_VIOLATIONS)


@pytest.fixture
def page(browser, live_server):
    page = new_page(browser, live_server.url)
    yield page
    page.context.close()
