"""The user's notification socket (/ws/notifications/): live unread count and new items.

Authentication is the Django session (AuthMiddlewareStack) and origins are checked
in config.asgi; this consumer only refuses visitors. It sends the unread count on
connect, then relays what services push to the user's group after commit.
Clients have nothing to say here: any message from them is ignored.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .realtime import user_group
from .selectors import unread_count_for


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        unread = await database_sync_to_async(unread_count_for)(user_id=user.pk)
        await self.send_json({"type": "unread", "unread": unread})

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # Nothing to parse, so nothing to validate or rate-limit: input is dropped unread.
        return None

    async def notification_new(self, event: dict) -> None:
        await self.send_json({"type": "notification", "notification": event["notification"], "unread": event["unread"]})

    async def notification_unread(self, event: dict) -> None:
        await self.send_json({"type": "unread", "unread": event["unread"]})
