"""QR codes drawn on the server (inline SVG, no style attributes) and the print stylesheet."""

import re
from pathlib import Path

import pytest
import segno
from django.conf import settings
from django.test import Client
from django.urls import reverse

from qa.templatetags.qr import qr_markup
from tests.dialogues.factories import DialogueSessionFactory
from tests.factories import PublishedQuestionFactory, QuestionFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg [^>]*class=\"qr-code\".*?</svg>", html, flags=re.S)


def _modules(svg: str) -> int:
    return int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))


def test_the_svg_encodes_the_url_and_has_no_style_attribute():
    url = "https://hoidap.example.vn/track/HP-STP-2026-000001/?token=abc"
    svg = qr_markup(url, 'Mã "QR" <x>')
    assert "style=" not in svg and "<script" not in svg
    assert 'role="img"' in svg and 'aria-label="Mã &quot;QR&quot; &lt;x&gt;"' in svg
    # Same modules as segno draws for that text: the picture is the URL's code, whole (with the quiet zone).
    assert _modules(svg) == segno.make(url, error="m").symbol_size()[0]


def test_the_receipt_shows_the_tracking_link_as_qr(client):
    question = QuestionFactory()
    url = reverse("qa:receipt", kwargs={"reference": question.reference}) + f"?token={question.tracking_token}"
    html = client.get(url).content.decode()
    (svg,) = _svgs(html)
    tracking_url = f"http://testserver{question.tracking_path()}"
    assert _modules(svg) == segno.make(tracking_url, error="m").symbol_size()[0]
    assert f'<p class="print-only print-address">{tracking_url.replace("&", "&amp;")}</p>' in html
    assert "style=" not in html


def test_an_unconfirmed_phone_receipt_has_no_qr_yet(client):
    question = QuestionFactory(status="unverified", contact__email="", contact__phone="+84912345678")
    url = reverse("qa:receipt", kwargs={"reference": question.reference}) + f"?token={question.tracking_token}"
    assert _svgs(client.get(url).content.decode()) == []


def test_the_answer_page_has_a_qr_of_its_public_url_a_print_button_and_the_print_css(client):
    question = PublishedQuestionFactory()
    html = client.get(question.get_absolute_url()).content.decode()
    (svg,) = _svgs(html)
    public = f"http://testserver{question.get_absolute_url()}"
    assert _modules(svg) == segno.make(public, error="m").symbol_size()[0]
    assert "js-print" in html and "/static/js/print.js" in html
    assert 'href="/static/css/print.css" media="print"' in html
    assert f'<p class="print-only print-address">{public}</p>' in html
    assert "style=" not in html


def test_the_dialogue_page_has_a_qr(client):
    session = DialogueSessionFactory()
    url = reverse("dialogues:detail", args=[session.pk])
    html = client.get(url).content.decode()
    assert len(_svgs(html)) == 1 and "js/print.js" in html


def test_the_print_stylesheet_keeps_identity_and_drops_navigation_votes_and_forms():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "print.css").read_text()
    assert "@media print" in css
    hidden = re.search(r"\}\s*([^{}]*)\{\s*display: none !important", css).group(1)
    hidden = {selector.strip() for selector in hidden.split(",")}
    for selector in (".main-nav", ".lang-switch", ".helpful", "form", "button", ".site-footer", ".breadcrumb"):
        assert selector in hidden
    assert ".print-only { display: block !important; }" in css
    assert ".qr-code" in css
    # Nothing that identifies the document is hidden.
    for kept in (".brand-portal", ".reference", ".qr-panel", ".receipt", ".fact-list"):
        assert kept not in hidden


def test_segno_is_pinned():
    requirements = (Path(settings.BASE_DIR) / "requirements.txt").read_text()
    assert "segno==1.6.6" in requirements
