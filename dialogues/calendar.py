"""An iCalendar (RFC 5545) file for one session, written by hand: the format is small and fixed."""

import datetime

from django.conf import settings
from django.utils import timezone

from .models import DialogueSession


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space, never inside a UTF-8 character."""
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        limit = 75 if not parts else 74
        if len(current) + len(encoded) > limit:
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def session_ics(session: DialogueSession) -> str:
    url = f"{settings.SITE_URL}{session.get_absolute_url()}"
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    panel = "; ".join(f"{p.name} – {p.position}" if p.position else p.name for p in session.panelists.all())
    description = "\n".join(part for part in (session.description, panel, url) if part)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Hoi dap va Doi thoai//Dialogues//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:dialogue-{session.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(session.scheduled_start)}",
        f"DTEND:{_utc(session.scheduled_end)}",
        f"SUMMARY:{_escape(session.title)}",
        f"DESCRIPTION:{_escape(description)}",
        f"LOCATION:{_escape(url)}",
        f"URL:{url}",
        f"ORGANIZER;CN={_escape(session.agency.name)}:mailto:{session.agency.email or 'noreply@' + host}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
