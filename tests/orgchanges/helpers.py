"""Shared set-up of the reorganisation tests: two departments with open and answered questions."""

import datetime

from django.utils import timezone

from accounts.models import Agency, Membership
from orgchanges import services
from qa.models import Answer, QuestionStatus
from tests.factories import AgencyFactory, MembershipFactory, QuestionFactory, TopicFactory, UserFactory

PAST = datetime.date(2025, 3, 1)


def site_admin():
    return UserFactory(is_staff=True, is_superuser=True)


def two_departments():
    """Sở Tài nguyên và Môi trường and Sở Nông nghiệp và Phát triển nông thôn, with work in every state."""
    parent = AgencyFactory(name="UBND thành phố", code="HP-UBND", slug="ubnd", kind=Agency.Kind.COMMITTEE)
    tnmt = AgencyFactory(name="Sở Tài nguyên và Môi trường", code="HP-STNMT", slug="so-tnmt", parent=parent)
    nnptnt = AgencyFactory(
        name="Sở Nông nghiệp và Phát triển nông thôn", code="HP-SNNPTNT", slug="so-nnptnt", parent=parent
    )
    land = TopicFactory(name="Đất đai", slug="dat-dai")
    farming = TopicFactory(name="Nông nghiệp", slug="nong-nghiep")
    today = timezone.localdate()
    open_questions = [
        QuestionFactory(agency=tnmt, topic=land, status=QuestionStatus.SUBMITTED, transfer_due_date=today),
        QuestionFactory(
            agency=tnmt,
            topic=land,
            status=QuestionStatus.ACCEPTED,
            accepted_at=timezone.now(),
            due_date=today + datetime.timedelta(days=9),
        ),
        QuestionFactory(
            agency=nnptnt,
            topic=farming,
            status=QuestionStatus.INFORMATION_REQUESTED,
            due_date=today + datetime.timedelta(days=3),
            paused_at=timezone.now(),
        ),
    ]
    answered = QuestionFactory(
        agency=tnmt,
        topic=land,
        status=QuestionStatus.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=400),
        answered_at=timezone.now() - datetime.timedelta(days=400),
    )
    Answer.objects.create(question=answered, body="<p>Trả lời.</p>")
    moderator = MembershipFactory(agency=tnmt, role=Membership.Role.MODERATOR).user
    answerer = MembershipFactory(agency=nnptnt, role=Membership.Role.ANSWERER).user
    return {
        "parent": parent,
        "tnmt": tnmt,
        "nnptnt": nnptnt,
        "land": land,
        "farming": farming,
        "open": open_questions,
        "answered": answered,
        "moderator": moderator,
        "answerer": answerer,
    }


def merged(world, admin, **extra):
    """Merge the two departments into a new Sở Nông nghiệp và Môi trường, previewed and applied."""
    values = {
        "kind": "merge",
        "sources": [world["tnmt"], world["nnptnt"]],
        "effective_date": PAST,
        "new_name": "Sở Nông nghiệp và Môi trường",
        "new_slug": "so-nong-nghiep-va-moi-truong",
        "new_code": "HP-SNNMT",
        **extra,
    }
    operation = services.reorganisation_create(actor=admin, **values)
    services.reorganisation_preview(actor=admin, operation=operation)
    return services.reorganisation_apply(actor=admin, operation=operation)
