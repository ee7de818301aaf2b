"""A seam between apps that send e-mail and the notifications outbox that delivers it.

`accounts` sits below `notifications` (notifications reads users), so it cannot import the outbox.
Instead the outbox registers itself here when Django starts (notifications.apps), and `accounts`
queues its mails through `queue_email`: the row is written in the caller's transaction, survives a
broker outage (the sweep re-sends it) and is claimed once, so it is never sent twice.

Links that carry a secret (a password reset token) are not stored in the row: the sending app
registers a builder that makes them at send time from the recipient (`register_context_builder`).
"""

from collections.abc import Callable, Mapping
from typing import Any, Protocol


class EmailQueue(Protocol):
    """What the outbox offers: record one e-mail of `kind` for `user`, delivered after commit."""

    def __call__(self, *, kind: str, user: Any, context: dict[str, Any], idempotency_key: str | None) -> None: ...


ContextBuilder = Callable[[Any, Mapping[str, Any]], dict[str, Any]]

_queue: EmailQueue | None = None
_builders: dict[str, ContextBuilder] = {}


class OutboxMissing(RuntimeError):
    """No app registered an outbox: an e-mail would be lost, so the caller's transaction must not commit."""


def register_queue(queue: EmailQueue) -> None:
    """Called once by the app that owns the outbox (notifications), from its AppConfig.ready()."""
    global _queue
    _queue = queue


def queue_email(
    *, kind: str, user: Any, context: dict[str, Any] | None = None, idempotency_key: str | None = None
) -> None:
    """Queue an e-mail of `kind` ("<app>.<template name>") to `user`, inside the caller's transaction.

    `context` is plain JSON stored with the row; `idempotency_key` names the event, so calling again
    with the same key queues nothing more. Raises OutboxMissing if no outbox is installed.
    """
    if _queue is None:
        raise OutboxMissing("No e-mail outbox is registered (is 'notifications' in INSTALLED_APPS?).")
    _queue(kind=kind, user=user, context=dict(context or {}), idempotency_key=idempotency_key)


def register_context_builder(kind: str, builder: ContextBuilder) -> None:
    """Let the app that owns `kind` add send-time context (fresh links) from the recipient and the stored context."""
    _builders[kind] = builder


def send_time_context(kind: str, recipient: Any, stored: Mapping[str, Any]) -> dict[str, Any]:
    """The extra context for one message as it is rendered; {} for kinds without a builder."""
    builder = _builders.get(kind)
    if builder is None or recipient is None:
        return {}
    return builder(recipient, stored)
