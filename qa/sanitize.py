"""Sanitising what staff type before it is stored and shown to citizens.

Answers are rich text limited to paragraphs, line breaks, lists, bold, italic and
links; anything else (scripts, styles, event attributes, javascript: links,
images, iframes) is removed on save, so templates may render the stored HTML as is.
Public titles and texts are plain text: tags are dropped, entities decoded, and
the template's auto-escaping makes them safe.
"""

import html
import re

import nh3
from django.utils.html import strip_tags

from core.input import strip_bidi_controls

from .text import nfc

ANSWER_TAGS = frozenset({"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "a"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"
# Their content is code or styling, never text a reader should see.
_DROP_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "math"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n{3,}")

_answer_cleaner = nh3.Cleaner(
    tags=set(ANSWER_TAGS),
    clean_content_tags=set(_DROP_WITH_CONTENT),
    # "*": nothing on every tag, else nh3 keeps its generic `title` and `lang`.
    attributes={"*": set(), "a": {"href"}},
    url_schemes=set(LINK_SCHEMES),
    # A relative link would point into the portal with the official's authority: only absolute ones.
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)
_text_cleaner = nh3.Cleaner(tags=set(), clean_content_tags=set(_DROP_WITH_CONTENT), attributes={}, strip_comments=True)


def clean_answer_html(value: str | None) -> str:
    """NFC, no bidi controls; only the allowed tags, `href` on links (http, https, mailto), rel="nofollow noopener"."""
    text = nfc(_CONTROL.sub("", value or ""))
    if not text:
        return ""
    # The cleaner decodes character references: "&#x202E;" would come back as the override itself.
    return strip_bidi_controls(_answer_cleaner.clean(text)).strip()


def clean_plain_text(value: str | None) -> str:
    """Plain text for public titles and texts: no markup, decoded entities, NFC, no control characters."""
    text = nfc(_CONTROL.sub("", value or "")).replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        return ""
    text = html.unescape(_text_cleaner.clean(text))
    return nfc(_BLANK_LINES.sub("\n\n", text))


def html_to_text(value: str | None) -> str:
    """The readable text of sanitised answer HTML (for search, e-mails in plain text, emptiness checks)."""
    if not value:
        return ""
    spaced = re.sub(r"<\s*(br|/p|/li)\s*/?>", "\n", value, flags=re.IGNORECASE)
    return nfc(html.unescape(strip_tags(spaced)))
