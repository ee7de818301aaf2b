"""WebSocket routes of this app (gathered by config.routing)."""

from django.urls import path

from .consumers import consumer_class

websocket_urlpatterns: list = [
    path("ws/dialogues/<int:session_id>/", consumer_class().as_asgi()),
]
