"""WebSocket routes of this app (gathered by config.routing)."""

from django.urls import path

from .consumers import NotificationConsumer

websocket_urlpatterns = [path("ws/notifications/", NotificationConsumer.as_asgi())]
