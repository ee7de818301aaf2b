"""API-wide pieces: the exception handler that maps domain errors to HTTP."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.errors import DomainError, RateLimited, TransitionNotAllowed


def exception_handler(exc, context):
    """One place that turns domain errors into responses.

    Illegal state changes are 409 with the current state, Django validation errors
    are 400 with a message per field, rate limits are 429 with Retry-After.
    """
    if isinstance(exc, TransitionNotAllowed):
        body = {"detail": str(exc.message), "code": exc.code}
        if exc.current_state is not None:
            body["current_state"] = exc.current_state
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RateLimited):
        response = Response({"detail": str(exc.message), "code": exc.code}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
            if "__all__" in data:
                data["non_field_errors"] = data.pop("__all__")
        else:
            data = {"non_field_errors": [str(m) for m in exc.messages]}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or "Permission denied."}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class ErrorSerializer(serializers.Serializer):
    """Shape of every error that is not a per-field validation error (403, 404, 429...), for the schema."""

    detail = serializers.CharField(help_text="A translated message for people.")
    code = serializers.CharField(required=False, help_text="A stable machine-readable code, where there is one.")


class ConflictErrorSerializer(ErrorSerializer):
    """Shape of a 409 (an illegal or stale state change), for the schema."""

    current_state = serializers.CharField(required=False, help_text="The question's status now.")
