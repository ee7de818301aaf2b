"""WebSocket routes of every app, gathered in one list."""

from dialogues.routing import websocket_urlpatterns as dialogue_routes
from notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns = [*dialogue_routes, *notification_routes]
