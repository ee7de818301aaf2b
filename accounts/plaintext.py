"""Plain-text templates (e-mail bodies and subjects, in-app titles) rendered without HTML escaping.

Django escapes every variable for HTML; in a text/plain e-mail that turns "Nguyễn & Cộng sự" into
"Nguyễn &amp; Cộng sự" and an apostrophe into "&#x27;". Templates ending in .txt are never shown as HTML
by us: a page that shows their output (the notification list) escapes it again when it renders it.
"""

import html
import re

from django.template import Context
from django.template.loader import get_template
from django.utils.html import strip_tags


def render_plain(template, context: dict) -> str:
    """Render a template (a name, or a loaded backend template) with autoescaping off."""
    loaded = get_template(template) if isinstance(template, str) else template
    return loaded.template.render(Context(context, autoescape=False))


def text_from_html(value: str) -> str:
    """A readable plain-text version of an HTML e-mail: line breaks kept, tags dropped, entities decoded."""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</h\d>", "\n", value)
    text = html.unescape(strip_tags(text))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip() + "\n"
