from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom of the dependency graph: errors, their one mapping, input hygiene, client IP, hooks.

    It imports no other app of the project (tests/test_architecture.py checks it); the apps above
    plug into it (core.outbox) instead of importing each other upward.
    """

    name = "core"  # no models, so nothing of it is shown to people: no translated name
