"""Upload checks: the type is read from the file's content, never trusted from its name."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def sniff_content_type(upload: UploadedFile) -> str | None:
    """Return the MIME type proven by the file's first bytes (and, for DOCX, its zip layout)."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return None


def validate_attachments(files: list[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Check count, size and real type; return (file, content type) pairs or raise ValidationError."""
    if len(files) > settings.QA_MAX_ATTACHMENTS:
        raise ValidationError(
            _("You can attach at most %(max)d files.") % {"max": settings.QA_MAX_ATTACHMENTS}, code="too_many"
        )
    checked = []
    max_mb = settings.QA_MAX_ATTACHMENT_BYTES // (1024 * 1024)
    for upload in files:
        if upload.size > settings.QA_MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                _("“%(name)s” is larger than %(max)d MB.") % {"name": upload.name, "max": max_mb}, code="too_large"
            )
        if upload.size == 0:
            raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name}, code="empty")
        content_type = sniff_content_type(upload)
        if content_type is None:
            raise ValidationError(
                _("“%(name)s” is not a PDF, JPEG, PNG or DOCX file.") % {"name": upload.name}, code="bad_type"
            )
        checked.append((upload, content_type))
    return checked
