"""The user's notification socket (/ws/notifications/): live unread count and new items.

Authentication is the Django session (AuthMiddlewareStack) and origins are checked
in config.asgi; this consumer only refuses visitors. It sends the unread count on
connect, then relays what services push to the user's group after commit.
Clients have nothing to say here: any message from them is ignored.
"""

import contextlib
import logging

import redis
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .metrics import NOTIFICATION_SOCKETS
from .realtime import user_group
from .selectors import unread_count_for

logger = logging.getLogger(__name__)
# "Try again later" (RFC 6455 1013): the client reconnects with its back-off.
CLOSE_UNAVAILABLE = 1013


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    group_name: str | None = None

    async def __call__(self, scope, receive, send) -> None:
        # Channels reads this socket's channel-layer messages in a loop that raises when Redis goes away
        # (an "Exception in ASGI application" traceback per socket): close with "try again later" instead.
        try:
            await super().__call__(scope, receive, send)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            logger.warning("Notification socket closed, channel layer unavailable: %s", exc)
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": CLOSE_UNAVAILABLE})

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        try:
            await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        except Exception as exc:  # the channel layer (Redis) is down: the page works, the bell retries later
            logger.warning("Notification socket closed, channel layer unavailable: %s", exc)
            await self.accept()  # accepted first, so the client sees the code and retries
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        self.group_name = user_group(user.pk)
        await self.accept()
        NOTIFICATION_SOCKETS.inc()
        self.counted = True
        unread = await database_sync_to_async(unread_count_for)(user_id=user.pk)
        await self.send_json({"type": "unread", "unread": unread})

    async def disconnect(self, code: int) -> None:
        if getattr(self, "counted", False):
            self.counted = False
            NOTIFICATION_SOCKETS.dec()
        if self.group_name:
            try:
                await self.channel_layer.group_discard(self.group_name, self.channel_name)
            except Exception as exc:  # the membership expires in the layer by itself
                logger.warning("Could not leave the notification group: %s", exc)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # Nothing to parse, so nothing to validate or rate-limit: input is dropped unread.
        return None

    async def notification_new(self, event: dict) -> None:
        await self.send_json({"type": "notification", "notification": event["notification"], "unread": event["unread"]})

    async def notification_unread(self, event: dict) -> None:
        await self.send_json({"type": "unread", "unread": event["unread"]})
