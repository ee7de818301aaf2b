"""Which video addresses a session may show, and how.

Staff set either an HLS stream (an https address ending in .m3u8, played in a
<video> element) or the embed address of a video platform on the allow-list
DIALOGUES_VIDEO_EMBED_HOSTS (shown in a sandboxed iframe). Anything else is
refused, so a session page cannot be made to frame an arbitrary site.
"""

from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HLS = "hls"
EMBED = "embed"


@dataclass(frozen=True)
class Video:
    kind: str
    url: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "url": self.url}


def classify(url: str) -> Video | None:
    """The video to show for a stored address, or None when there is none (or it is no longer allowed)."""
    if not url:
        return None
    try:
        return validate_video_url(url)
    except ValidationError:
        return None


def validate_video_url(url: str) -> Video:
    parsed = urlparse(url.strip())
    if parsed.scheme != "https" or not parsed.hostname:
        raise ValidationError({"video_url": [_("The video address must start with https://.")]})
    if parsed.path.lower().endswith(".m3u8"):
        return Video(HLS, url.strip())
    allowed = {h.lower() for h in settings.DIALOGUES_VIDEO_EMBED_HOSTS}
    if parsed.hostname.lower() not in allowed:
        raise ValidationError(
            {
                "video_url": [
                    _("Use an HLS address ending in .m3u8 or an embed address from: %(hosts)s.")
                    % {"hosts": ", ".join(sorted(allowed))}
                ]
            }
        )
    return Video(EMBED, url.strip())


def csp_sources() -> dict[str, list[str]]:
    """What a page showing a session's video adds to the Content-Security-Policy (read per request).

    Frames only from the embed hosts on the allow-list (https), and media from https (an HLS stream may be
    on any https host, and a <video> cannot run script); every other directive stays as in settings.
    """
    hosts = sorted({h.strip().lower() for h in settings.DIALOGUES_VIDEO_EMBED_HOSTS if h.strip()})
    return {
        "frame-src": [f"https://{host}" for host in hosts] or ["'none'"],
        "media-src": ["'self'", "https:", "blob:"],
    }
