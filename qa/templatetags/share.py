"""{% share_meta %} and {% share_links %}: Open Graph / Twitter card tags and plain share links for public pages.

Plain links (no outside script, nothing loaded from Facebook or Zalo until the person clicks), the page's
absolute address made with the host it is served on (as the QR code is), and only public text: the
caller passes the public title and description, never anything about the asker.
"""

from urllib.parse import quote

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import strip_tags
from django.utils.text import Truncator

register = template.Library()

FACEBOOK_SHARE = "https://www.facebook.com/sharer/sharer.php?u="
ZALO_SHARE = "https://sp.zalo.me/share_to_zalo?url="


def absolute_url(context, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else f"{settings.SITE_URL}{path}"


def share_targets(url: str) -> dict[str, str]:
    encoded = quote(url, safe="")
    return {"facebook": FACEBOOK_SHARE + encoded, "zalo": ZALO_SHARE + encoded}


@register.inclusion_tag("includes/share_meta.html", takes_context=True)
def share_meta(context, path: str, title: str, description: str, kind: str = "article") -> dict:
    return {
        "url": absolute_url(context, path),
        "title": title,
        "description": Truncator(" ".join(strip_tags(str(description)).split())).chars(300),
        "kind": kind,
        "site_name": context.get("PORTAL_NAME", ""),
        "image": absolute_url(context, static("icons/icon-512.png")),
    }


@register.inclusion_tag("includes/share_links.html", takes_context=True)
def share_links(context, path: str, heading: str = "") -> dict:
    url = absolute_url(context, path)
    return {"url": url, "heading": heading, **share_targets(url)}
