"""Notifications API under /api/v1/notifications/ (see notifications.api)."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.NotificationListApi.as_view(), name="api-notifications"),
    path("unread-count/", api.UnreadCountApi.as_view(), name="api-notifications-unread-count"),
    path("read-all/", api.MarkAllReadApi.as_view(), name="api-notifications-read-all"),
    path("<id:pk>/read/", api.MarkReadApi.as_view(), name="api-notifications-read"),
]
