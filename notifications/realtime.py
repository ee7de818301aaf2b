"""Live pushes to a user's open pages through the channel layer (one group per user)."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """The one place group names are built (consumer and senders agree on it)."""
    return f"notifications.user.{user_id}"


def send_to_user(user_id: int, message: dict) -> None:
    """Send now; raises if the channel layer is unreachable (callers decide whether that matters)."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(user_group(user_id), message)


def send_unread_count_on_commit(user_id: int) -> None:
    """After commit, tell the user's other open pages the new unread count (best effort)."""

    def _send() -> None:
        from .selectors import unread_count_for

        try:
            send_to_user(user_id, {"type": "notification.unread", "unread": unread_count_for(user_id=user_id)})
        except Exception:  # a missed badge update must never break the request that read the item
            logger.warning("Could not push the unread count to user %s", user_id, exc_info=True)

    transaction.on_commit(_send)
