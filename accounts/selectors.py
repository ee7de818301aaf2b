"""Reads for the account pages."""

from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from .models import Membership, User


def user_questions(user: User) -> QuerySet:
    """The user's own questions, newest first, with what the profile list shows.

    Goes through the reverse relation `user.questions` so that accounts does not
    import qa (accounts is the base every other app builds on).
    """
    return (
        user.questions.select_related("agency")
        .only("reference", "tracking_token", "title", "status", "created_at", "agency__name", "asker_id")
        .order_by("-created_at", "-pk")
    )


def user_memberships(user: User) -> QuerySet[Membership]:
    """The user's agency roles, grouped by agency for display (read-only on the profile)."""
    return Membership.objects.filter(user=user).select_related("agency").order_by("agency__name", "role")


def user_api_token(user: User) -> Token | None:
    return Token.objects.filter(user=user).first()
