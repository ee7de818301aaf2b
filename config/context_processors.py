"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    return {"PORTAL_NAME": settings.PORTAL_NAME, "LIVE_HEARTBEAT_SECONDS": settings.DIALOGUES_HEARTBEAT_SECONDS}
