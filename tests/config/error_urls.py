"""URLs whose views fail on purpose, for the error handler tests (config.errors)."""

from django.db import InterfaceError, OperationalError
from django.urls import path


def database_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def connection_gone(request):
    raise InterfaceError("connection already closed")


def bug(request):
    raise RuntimeError("secret detail: SELECT password FROM users")


urlpatterns = [
    path("db/", database_down),
    path("gone/", connection_gone),
    path("bug/", bug),
    path("api/v1/db/", database_down),
    path("api/v1/bug/", bug),
]

handler500 = "config.errors.server_error"
