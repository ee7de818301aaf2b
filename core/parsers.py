"""The API's JSON parser: body size and nesting depth are checked before anything is parsed."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

from .input import depth_message, json_too_deep


class LimitedJSONParser(JSONParser):
    """JSON bodies of at most API_JSON_MAX_BYTES, nested at most API_JSON_MAX_DEPTH levels; else a translated 400.

    The size is read without trusting Content-Length (at most one byte past the limit is read); the depth is
    scanned on the raw bytes, so a body of 100,000 opening brackets costs one linear pass instead of a
    RecursionError in the parser or, worse, in whatever serialises the value later.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        limit = settings.API_JSON_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(
                _("The request body is too large (at most %(limit)d bytes).") % {"limit": limit},
                code="body_too_large",
            )
        if json_too_deep(raw, settings.API_JSON_MAX_DEPTH):
            raise ParseError(depth_message(), code="json_too_deep")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(_("The request body is not valid UTF-8 text."), code="bad_encoding") from None
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except (ValueError, RecursionError):
            # ValueError: malformed JSON, or an integer of more digits than Python converts.
            raise ParseError(_("The request body is not valid JSON."), code="bad_json") from None
