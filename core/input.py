"""Input hygiene shared by every entry point: HTTP forms and query strings, the JSON API and the sockets.

One normalisation path for user text (`clean_text`): a null character is refused with a translated error
(PostgreSQL cannot store it and no person types one), the text is NFC-normalised and bidirectional
embedding/override/isolate controls are removed, so a user cannot flip how the text around theirs reads
(U+202E turning "exe.pdf" into "fdp.exe"). Forms and serializers refuse null characters through Django's and
DRF's own validators; services run `clean_text` (through `qa.text.nfc`), which is what the consumers reach.

JSON is checked before it is parsed (`json_too_deep`): nesting deeper than `API_JSON_MAX_DEPTH` would make the
parser or a later serialiser recurse until Python gives up (a 500), so it is refused from the raw bytes.

Applications import this module (like `core.api`); it imports none of them.
"""

import re
import unicodedata
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

NULL = "\x00"
# LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI: the controls that change the direction of what follows.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def null_character_message() -> str:
    return _("The text contains a null character, which is not allowed.")


def clean_text(value: str | None) -> str:
    """NFC, without bidi controls, outer whitespace trimmed; None becomes ''. A null character is a ValidationError."""
    if not value:
        return ""
    if NULL in value:
        raise ValidationError(null_character_message(), code="null_characters_not_allowed")
    return BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", value)).strip()


def strip_bidi_controls(value: str) -> str:
    return BIDI_CONTROLS.sub("", value)


def json_too_deep(data: bytes | str, limit: int) -> bool:
    """Whether arrays/objects in `data` nest deeper than `limit`, read from the raw text without recursion.

    Brackets inside strings do not count. Invalid JSON may be judged either way: the parser refuses it anyway.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # cannot nest deeper than the number of openings: the common case, no scan
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    depth = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def contains_null(value: object) -> bool:
    """Whether a null character is in any string (key or value) of a decoded JSON value; no recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NULL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def depth_message() -> str:
    return _("The JSON is nested too deeply (at most %(limit)d levels).") % {"limit": settings.API_JSON_MAX_DEPTH}


def _has_null(request: HttpRequest) -> bool:
    if NULL in request.path:
        return True
    for key, values in request.GET.lists():
        if NULL in key or any(NULL in v for v in values):
            return True
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NULL in value:
            return True
    # Multipart bodies are left to the forms and serializers (their fields refuse null characters): parsing them
    # here would fix the upload handlers before a view could choose its own.
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        for key, values in request.POST.lists():
            if NULL in key or any(isinstance(v, str) and NULL in v for v in values):
                return True
    return False


class RejectNullCharactersMiddleware:
    """A null character in the path, the query string, a header or a url-encoded form field is a 400, never a 500.

    Checked once here so that no view, selector or query has to: PostgreSQL refuses such strings with an error
    that would otherwise surface as a server error. API paths get JSON, pages a short translated text.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_null(request):
            message = null_character_message()
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "null_characters_not_allowed"}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
