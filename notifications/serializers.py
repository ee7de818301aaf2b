"""Output shapes of the notifications API (the socket pushes the same shape)."""

from rest_framework import serializers


class NotificationSerializer(serializers.Serializer):
    """One in-app notification, titled in the request's language."""

    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="What happened, e.g. qa.answered or qa.staff_assigned.")
    title = serializers.CharField(help_text="One line, in the language of the request.")
    url = serializers.CharField(help_text="The page of this site the notification is about.")
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="In-app notifications not read yet.")


class MarkAllReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications this call marked as read.")
    unread = serializers.IntegerField()
