"""WebSocket routes of this app (gathered by config.routing)."""

from django.urls import path

from .consumers import DialogueConsumer

websocket_urlpatterns: list = [
    path("ws/dialogues/<int:session_id>/", DialogueConsumer.as_asgi()),
]
