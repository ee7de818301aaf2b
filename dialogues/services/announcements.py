"""Announcements: a short notice with an optional photo into everyone's stream."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qa.files import check_image
from qa.text import nfc

from .. import events, payloads, workflow
from ..models import Announcement
from .common import Actor, actor_or_none, lock_session, require_moderator

ANNOUNCEMENT_MAX = 500
PHOTO_MAX_BYTES = 5 * 1024 * 1024


def announcement_post(
    *, session_id: int, actor: Actor, text: str, photo: UploadedFile | None = None, photo_alt: str = ""
) -> Announcement:
    """A short notice with an optional photo (JPEG or PNG, checked by content) into everyone's stream."""
    text = nfc(text)
    photo_alt = nfc(photo_alt)
    errors: dict[str, list] = {}
    if not text:
        errors.setdefault("text", []).append(_("Enter the announcement."))
    elif len(text) > ANNOUNCEMENT_MAX:
        errors.setdefault("text", []).append(
            _("An announcement can be at most %(max)d characters.") % {"max": ANNOUNCEMENT_MAX}
        )
    if len(photo_alt) > 200:
        errors.setdefault("photo_alt", []).append(_("The description can be at most 200 characters."))
    clean_photo = None
    if photo is not None:
        # An upload whose size is unknown is refused like one that is too large (it cannot be bounded).
        if photo.size is None or photo.size > PHOTO_MAX_BYTES:
            errors.setdefault("photo", []).append(_("The photo can be at most 5 MB."))
        else:
            # Decoded whole and re-encoded (qa.files): no EXIF position, nothing but pixels reaches the public.
            try:
                clean_photo, _content_type = check_image(photo, max_bytes=PHOTO_MAX_BYTES)
            except ValidationError as exc:
                errors.setdefault("photo", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = lock_session(session_id)
        require_moderator(actor, session)
        workflow.check_session(session, "announce")
        announcement = Announcement(
            session=session, text=text, photo_alt=photo_alt, created_by=actor_or_none(actor), created_at=timezone.now()
        )
        if clean_photo is not None:
            announcement.photo.save(clean_photo.name, clean_photo, save=False)
        announcement.save()
        events.emit(session, "announcement", {"announcement": payloads.announcement_payload(announcement)}, actor=actor)
    return announcement
