"""API-wide pieces: DRF's exception handler (the mapping itself is core.responses), error shapes for the schema."""

from typing import Any

from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .responses import error_reply


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's hook: domain and Django errors answer as core.responses maps them, the rest as DRF does.

    Illegal state changes are 409 with the current state, Django validation errors
    are 400 with a message per field, rate limits are 429 with Retry-After.
    """
    reply = error_reply(exc)
    if reply is None:
        return drf_exception_handler(exc, context)
    response = Response(reply.api_body(), status=reply.status)
    if reply.retry_after is not None:
        response["Retry-After"] = str(reply.retry_after)
    return response


class ErrorSerializer(serializers.Serializer):
    """Shape of every error that is not a per-field validation error (403, 404, 429...), for the schema."""

    detail = serializers.CharField(help_text="A translated message for people.")
    code = serializers.CharField(required=False, help_text="A stable machine-readable code, where there is one.")


class ConflictErrorSerializer(ErrorSerializer):
    """Shape of a 409 (an illegal or stale state change), for the schema."""

    current_state = serializers.CharField(required=False, help_text="The question's status now.")
    findings = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="code personal_data: what the public text still holds (field, kind, label, text, start, end, own).",
    )


ERROR_SCHEMA = {
    "type": "object",
    "description": "A translated message and, where there is one, a stable code.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "description": "Messages per field (`non_field_errors` for the request as a whole), or `detail` and `code` "
    "for a body that could not be read (too large, nested too deeply, not JSON, a null character).",
    "oneOf": [
        {"$ref": "#/components/schemas/CommonError"},
        {"type": "object", "additionalProperties": {"type": "array", "items": {}}},
    ],
}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def add_common_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular hook: the errors any operation can answer, where its own annotations do not say already.

    Every operation with input can answer 400 (the parser's size, depth and encoding limits, a null character
    anywhere in the request) and, with a body, 415 (a media type it does not take). Every operation with a path
    parameter can answer 404 (no such object, or an id that is not a number: config/errors.py answers JSON
    there too), and so can a paged list asked for a page past its end.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["CommonError"] = ERROR_SCHEMA
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            parameters = operation.get("parameters", [])
            if "400" not in responses and (parameters or "requestBody" in operation):
                responses["400"] = _json("The input was refused.", VALIDATION_ERROR_SCHEMA)
            if "415" not in responses and "requestBody" in operation:
                responses["415"] = _json(
                    "The body is not in a documented media type.", {"$ref": "#/components/schemas/CommonError"}
                )
            paged = any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
            if "404" not in responses and (paged or any(p.get("in") == "path" for p in parameters)):
                responses["404"] = _json("Not found.", {"$ref": "#/components/schemas/CommonError"})
    return result
