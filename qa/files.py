"""Uploads: every file is parsed whole before it is kept, and its type, name and bytes come from that parse.

The one owner of upload checks (question and reply attachments, answer files, live-dialogue photos). A file's
first bytes prove nothing (a "PDF" that is an HTML page, a 1 MB Word file that unpacks to 1 GiB), so:
- a PDF must open in pypdf with its page tree readable, not locked by a password, within QA_UPLOAD_MAX_PDF_PAGES
  pages and with nothing hidden after its end;
- a DOCX must be an Office Open XML package: a zip with a bounded number of entries, safe entry names, no
  encryption, every entry unpacked (streamed, CRC checked) within a total size and compression ratio, a
  [Content_Types].xml naming the expected main part, and no macros;
- an image (JPEG, PNG) is decoded by Pillow within QA_UPLOAD_MAX_IMAGE_PIXELS and re-encoded, which drops
  EXIF (GPS position, camera serial), XMP and comments, and anything appended to the image;
- no kind may carry web-page markup at its start or end (HTML, SVG, script): a polyglot is refused.
The stored name ends with the extension of the detected type, never the client's, and files are served with
the detected Content-Type (qa.files.download_name, the download views add nosniff and attachment).
"""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
from pathlib import PurePosixPath
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from .text import nfc

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Detected type → the only extension a stored file of that type gets.
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx"}
IMAGE_TYPES = frozenset({JPEG, PNG})
ATTACHMENT_TYPES = frozenset(EXTENSIONS)

# Office Open XML packages: type → (main part, its content type in [Content_Types].xml).
OOXML_MAIN_PARTS = {
    DOCX: ("/word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
}
_PILLOW_FORMATS = {"JPEG": JPEG, "PNG": PNG}
# Markup a browser (or a careless viewer) could run if it ever sniffed the file as a page.
_MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html[\s>]|script[\s>]|svg[\s>]|iframe[\s>]|body[\s>])", re.I)
_SCAN_BYTES = 4096
# PDF actions that run something when the file is opened (readable where objects are not compressed; the
# document catalog is checked after parsing as well).
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"

# Pillow warns above its own pixel limit before it errors at twice that: a warning is a refusal here too.
warnings.simplefilter("error", Image.DecompressionBombWarning)


class UploadRejected(ValidationError):
    """A refused upload: a ValidationError whose code names the reason."""


def _reject(code: str, message: str) -> UploadRejected:
    return UploadRejected(message, code=code)


def _name(upload: UploadedFile) -> str:
    return nfc(upload.name or _("file"))[-120:]


def _read_all(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _has_markup(data: bytes) -> bool:
    return bool(_MARKUP.search(data[:_SCAN_BYTES]) or _MARKUP.search(data[-_SCAN_BYTES:]))


# --- Detection ------------------------------------------------------------------------------------------


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The type the file's first bytes claim; only a starting point: check_upload then proves it."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return DOCX
    return None


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<svg", b"<?xml")) and b"<svg" in text


# --- PDF ------------------------------------------------------------------------------------------------


def _check_pdf(data: bytes, name: str) -> None:
    broken = _reject("pdf_broken", _("“%(name)s” is damaged or is not a real PDF file.") % {"name": name})
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise broken
    # Scanners and signing tools sometimes leave a few stray bytes after the end; a second file is refused.
    after = data[end + 5 :].strip(b"\r\n\t \x00")
    if len(after) > 256 or b"PK\x03\x04" in after or b"%PDF" in after:
        raise _reject(
            "hidden_data",
            _("“%(name)s” has data hidden after its end and cannot be accepted.") % {"name": name},
        )
    if _PDF_ACTIVE.search(data):
        raise _reject(
            "pdf_active",
            _("“%(name)s” contains scripts or embedded programs; send an ordinary PDF.") % {"name": name},
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _reject(
                "encrypted", _("“%(name)s” is protected by a password; send it without one.") % {"name": name}
            )
        if "/Root" not in reader.trailer:
            raise broken
        pages = len(reader.pages)
        if pages == 0:
            raise broken
        max_pages = settings.QA_UPLOAD_MAX_PDF_PAGES
        if pages > max_pages:
            raise _reject(
                "pdf_pages",
                _("“%(name)s” has more than %(max)d pages.") % {"name": name, "max": max_pages},
            )
        catalog = reader.trailer["/Root"].get_object()
        names = catalog.get("/Names")
        names = names.get_object() if names is not None else {}
        opening = catalog.get("/OpenAction")
        opening = opening.get_object() if opening is not None else None
        runs_on_open = hasattr(opening, "get") and opening.get("/S") in ("/JavaScript", "/Launch")
        if runs_on_open or "/AA" in catalog or "/JavaScript" in names or "/EmbeddedFiles" in names:
            raise _reject(
                "pdf_active",
                _("“%(name)s” contains scripts or embedded programs; send an ordinary PDF.") % {"name": name},
            )
        for page in reader.pages:
            box = page.mediabox
            if box.width <= 0 or box.height <= 0:
                raise broken
    except UploadRejected:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, OSError):
        raise broken from None


# --- Office Open XML (DOCX) -------------------------------------------------------------------------------


def _unsafe_member_name(member: str) -> bool:
    if not member or "\x00" in member or "\\" in member or member.startswith("/") or ":" in member:
        return True
    parts = PurePosixPath(member).parts
    return ".." in parts or posixpath.normpath(member).startswith("..")


def _check_ooxml(upload: UploadedFile, content_type: str, name: str) -> None:
    broken = _reject("docx_broken", _("“%(name)s” is damaged or is not a real Word document.") % {"name": name})
    max_entries = settings.QA_UPLOAD_MAX_ZIP_ENTRIES
    max_total = settings.QA_UPLOAD_MAX_UNPACKED_BYTES
    max_ratio = settings.QA_UPLOAD_MAX_COMPRESSION_RATIO
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > max_entries:
                raise _reject(
                    "zip_entries",
                    _("“%(name)s” is made of too many parts (more than %(max)d).") % {"name": name, "max": max_entries},
                )
            names = [m.filename for m in members]
            if len(set(names)) != len(names) or any(_unsafe_member_name(n) for n in names):
                raise _reject("zip_names", _("“%(name)s” contains parts with unsafe names.") % {"name": name})
            if any(m.flag_bits & 0x1 for m in members):
                raise _reject(
                    "encrypted", _("“%(name)s” is protected by a password; send it without one.") % {"name": name}
                )
            bomb = _reject(
                "zip_bomb",
                _("“%(name)s” unpacks to more than %(max)d MB or is packed suspiciously tightly.")
                % {"name": name, "max": max_total // (1024 * 1024)},
            )
            if sum(m.file_size for m in members) > max_total:
                raise bomb
            # Declared sizes can lie: unpack every entry in chunks (zipfile stops at the declared size and
            # checks the CRC), counting what really comes out.
            unpacked = 0
            parts: dict[str, bytes] = {}
            for member in members:
                if member.file_size > 1024 * 1024 and member.file_size > max_ratio * max(member.compress_size, 1):
                    raise bomb
                keep = member.filename in ("[Content_Types].xml",)
                chunks = []
                with archive.open(member) as stream:
                    while chunk := stream.read(256 * 1024):
                        unpacked += len(chunk)
                        if unpacked > max_total:
                            raise bomb
                        if keep:
                            chunks.append(chunk)
                if keep:
                    parts[member.filename] = b"".join(chunks)
    except UploadRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
        raise broken from None
    finally:
        upload.seek(0)

    main_part, main_type = OOXML_MAIN_PARTS[content_type]
    declared = parts.get("[Content_Types].xml")
    if declared is None or main_part.lstrip("/") not in names or b"<!DOCTYPE" in declared.upper():
        raise broken
    try:
        root = ElementTree.fromstring(declared)  # noqa: S314 (no DTD allowed above; expat refuses entity bombs)
    except ElementTree.ParseError:
        raise broken from None
    overrides = {
        el.get("PartName", "").lower(): el.get("ContentType", "") for el in root.iter(f"{_CONTENT_TYPES_NS}Override")
    }
    declared_types = set(overrides.values()) | {
        el.get("ContentType", "") for el in root.iter(f"{_CONTENT_TYPES_NS}Default")
    }
    if any("macroenabled" in t.lower() or "vbaproject" in t.lower() for t in declared_types) or any(
        n.lower().endswith("vbaproject.bin") for n in names
    ):
        raise _reject(
            "macros", _("“%(name)s” contains macros; save it as an ordinary .docx document.") % {"name": name}
        )
    if overrides.get(main_part.lower()) != main_type:
        raise broken


# --- Images -----------------------------------------------------------------------------------------------


def _clean_image(data: bytes, name: str, allowed: frozenset[str]) -> tuple[bytes, str]:
    """Decode the whole image and write it anew: only pixels (and the colour profile) survive."""
    broken = _reject("image_broken", _("“%(name)s” is damaged or is not a real image.") % {"name": name})
    max_pixels = settings.QA_UPLOAD_MAX_IMAGE_PIXELS
    too_big = _reject(
        "image_pixels",
        _("“%(name)s” is too large an image (more than %(max)d megapixels).")
        % {"name": name, "max": max_pixels // 1_000_000},
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            content_type = _PILLOW_FORMATS.get(image.format or "")
            if content_type is None or content_type not in allowed:
                raise broken
            width, height = image.size
            if width < 1 or height < 1:
                raise broken
            if width * height > max_pixels:
                raise too_big
            image.load()
            icc_profile = image.info.get("icc_profile")
            upright = ImageOps.exif_transpose(image)
            # Pillow carries some of the source's metadata into the new file (a JPEG comment, for one): none.
            upright.info = {}
            out = io.BytesIO()
            if content_type == JPEG:
                if upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
                upright.save(out, "JPEG", quality=90, optimize=True, icc_profile=icc_profile)
            else:
                if upright.mode not in ("1", "L", "LA", "RGB", "RGBA", "I", "I;16"):
                    upright = upright.convert("RGBA")
                upright.save(out, "PNG", icc_profile=icc_profile)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, MemoryError):
        raise broken from None
    return out.getvalue(), content_type


# --- The checks callers use --------------------------------------------------------------------------------


def safe_name(name: str, content_type: str) -> str:
    """The user's file name with the extension of the detected type (never the one they typed)."""
    base = PurePosixPath(nfc(name).replace("\\", "/")).name
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[\x00-\x1f\x7f]", "", stem).strip(" .") or _("file")
    return f"{stem[:120]}{EXTENSIONS.get(content_type, '')}"


download_name = safe_name


def _unsupported(name: str, allowed: frozenset[str]) -> UploadRejected:
    if allowed <= IMAGE_TYPES:
        return _reject("bad_type", _("“%(name)s” is not a JPEG or PNG image.") % {"name": name})
    return _reject("bad_type", _("“%(name)s” is not a PDF, JPEG, PNG or DOCX file.") % {"name": name})


def check_upload(upload: UploadedFile, *, allowed: frozenset[str] = ATTACHMENT_TYPES) -> tuple[File, str]:
    """Prove the file's type by parsing it whole; return (the file to store, its content type).

    The returned file is named with the user's name and the detected type's extension; an image is the
    re-encoded copy. Raises UploadRejected (a ValidationError; its code names the reason) otherwise.
    """
    name = _name(upload)
    upload.seek(0)
    head = upload.read(_SCAN_BYTES)
    upload.seek(0)
    if _looks_like_svg(head):
        raise _reject(
            "svg", _("“%(name)s” is an SVG drawing, which is not accepted; send a PNG or JPEG image.") % {"name": name}
        )
    content_type = sniff_content_type(upload)
    if content_type is None or content_type not in allowed:
        raise _unsupported(name, allowed)
    if content_type in IMAGE_TYPES:
        cleaned, content_type = _clean_image(_read_all(upload), name, allowed)
        return ContentFile(cleaned, name=safe_name(name, content_type)), content_type
    if content_type == PDF:
        data = _read_all(upload)
        if _has_markup(data):
            raise _markup(name)
        _check_pdf(data, name)
    else:
        tail_start = max(upload.size - _SCAN_BYTES, 0)
        upload.seek(tail_start)
        tail = upload.read(_SCAN_BYTES)
        upload.seek(0)
        if _has_markup(head) or _has_markup(tail):
            raise _markup(name)
        _check_ooxml(upload, content_type, name)
    upload.seek(0)
    return File(upload.file, name=safe_name(name, content_type)), content_type


def _markup(name: str) -> UploadRejected:
    return _reject("markup", _("“%(name)s” contains web page code and cannot be accepted.") % {"name": name})


def validate_attachments(files: list[UploadedFile]) -> list[tuple[File, str]]:
    """Check count, size and real type of every file; return (file to store, content type) pairs.

    Raises one ValidationError listing every refused file, so the user can fix them all at once.
    """
    if len(files) > settings.QA_MAX_ATTACHMENTS:
        raise ValidationError(
            _("You can attach at most %(max)d files.") % {"max": settings.QA_MAX_ATTACHMENTS}, code="too_many"
        )
    checked = []
    problems: list[ValidationError] = []
    max_mb = settings.QA_MAX_ATTACHMENT_BYTES // (1024 * 1024)
    for upload in files:
        name = _name(upload)
        if upload.size > settings.QA_MAX_ATTACHMENT_BYTES:
            problems.append(
                ValidationError(
                    _("“%(name)s” is larger than %(max)d MB.") % {"name": name, "max": max_mb}, code="too_large"
                )
            )
            continue
        if upload.size == 0:
            problems.append(ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty"))
            continue
        try:
            checked.append(check_upload(upload))
        except UploadRejected as exc:
            problems.append(exc)
    if problems:
        raise ValidationError(problems)
    return checked


def check_image(upload: UploadedFile, *, max_bytes: int) -> tuple[File, str]:
    """A photo (JPEG or PNG) decoded and re-encoded without metadata; for the live dialogue's announcements."""
    if upload.size > max_bytes:
        raise _reject(
            "too_large",
            _("“%(name)s” is larger than %(max)d MB.") % {"name": _name(upload), "max": max_bytes // (1024 * 1024)},
        )
    if upload.size == 0:
        raise _reject("empty", _("“%(name)s” is empty.") % {"name": _name(upload)})
    return check_upload(upload, allowed=IMAGE_TYPES)
