"""REST API of a user's in-app notifications: list, unread count, mark one or all read.

Every endpoint acts on the caller's own notifications only (others' ids are 404).
"""

from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer

from . import selectors, services
from .models import Notification
from .serializers import MarkAllReadSerializer, NotificationSerializer, UnreadCountSerializer

TAG = "notifications"
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not one of your notifications.")
NOT_LOGGED_IN = OpenApiResponse(ErrorSerializer, description="Not logged in.")


class NotificationListApi(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Notification.objects.none()
        unread = self.request.query_params.get("unread", "").lower() in ("1", "true", "yes")
        return selectors.inbox_for(user=self.request.user, unread_only=unread)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        language = get_language()
        data = [selectors.notification_payload(row, language) for row in page]
        return self.get_paginated_response(NotificationSerializer(data, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Your in-app notifications, newest first",
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only the ones not read yet."),
        ],
        responses={200: NotificationSerializer(many=True), 403: NOT_LOGGED_IN},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class UnreadCountApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="How many notifications are unread",
        responses={200: UnreadCountSerializer, 403: NOT_LOGGED_IN},
    )
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_count_for(user_id=request.user.pk)})


class MarkReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="Mark one notification as read",
        request=None,
        responses={200: NotificationSerializer, 404: NOT_FOUND, 403: NOT_LOGGED_IN},
    )
    def post(self, request: Request, pk: int) -> Response:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        return Response(NotificationSerializer(selectors.notification_payload(notification, get_language())).data)


class MarkAllReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="Mark all your notifications as read",
        request=None,
        responses={200: MarkAllReadSerializer, 403: NOT_LOGGED_IN},
    )
    def post(self, request: Request) -> Response:
        marked = services.notifications_mark_all_read(user=request.user)
        return Response({"marked": marked, "unread": selectors.unread_count_for(user_id=request.user.pk)})
