"""A merge of two departments with 10,000 open questions on PostgreSQL: everything moves, within a minute."""

import datetime
import os
import time
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency
from notifications.models import Notification
from orgchanges import services
from qa.models import AskerContact, AskerType, Question, QuestionEvent, QuestionStatus
from tests.factories import AgencyFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.slow]

COUNT = int(os.environ.get("REORG_SCALE_COUNT", "10000"))  # smaller for a quick local run
STATES = [
    QuestionStatus.SUBMITTED,
    QuestionStatus.ACCEPTED,
    QuestionStatus.INFORMATION_REQUESTED,
    QuestionStatus.IN_REVIEW,
    QuestionStatus.APPROVED,
]


def test_merge_of_ten_thousand_open_questions(client):
    first = AgencyFactory(name="Sở Tài nguyên và Môi trường", slug="so-tnmt-scale", code="HP-STNMT")
    second = AgencyFactory(name="Sở Nông nghiệp và Phát triển nông thôn", slug="so-nn-scale", code="HP-SNNPTNT")
    topic = TopicFactory()
    today = timezone.localdate()
    questions = [
        Question(
            reference=f"HP-STNMT-2026-{n:06d}",
            agency=first if n % 2 else second,
            topic=topic,
            status=STATES[n % len(STATES)],
            title=f"Câu hỏi số {n}",
            body="Nội dung",
            asker_type=AskerType.INDIVIDUAL,
            received_at=timezone.now(),
            transfer_due_date=today + datetime.timedelta(days=n % 5),
            due_date=today + datetime.timedelta(days=n % 30),
        )
        for n in range(COUNT)
    ]
    Question.objects.bulk_create(questions, batch_size=2000)
    # 9,000 askers: a thousand of them asked twice, and must hear about it once.
    AskerContact.objects.bulk_create(
        [
            AskerContact(
                question=question,
                name="Người hỏi",
                email=f"nguoihoi{index % 9000}@example.vn",
                email_verified_at=timezone.now(),
            )
            for index, question in enumerate(questions)
        ],
        batch_size=2000,
    )
    before = dict(Question.objects.values_list("pk", "deadline"))
    admin = UserFactory(is_staff=True)
    operation = services.reorganisation_create(
        actor=admin,
        kind="merge",
        sources=[first, second],
        effective_date=today,
        new_name="Sở Nông nghiệp và Môi trường",
        new_slug="so-nong-nghiep-va-moi-truong",
        new_code="HP-SNNMT",
    )
    services.reorganisation_preview(actor=admin, operation=operation)

    started = time.monotonic()
    services.reorganisation_apply(actor=admin, operation=operation)
    elapsed = time.monotonic() - started
    print(f"\nmerge of {COUNT} open questions applied in {elapsed:.1f} s")

    assert elapsed < 60
    successor = Agency.objects.get(code="HP-SNNMT")
    assert Question.objects.filter(agency=successor).count() == COUNT
    assert dict(Question.objects.values_list("pk", "deadline")) == before
    assert QuestionEvent.objects.filter(action="reorganised").count() == COUNT
    sent = Counter(
        Notification.objects.filter(kind="orgchanges.questions_moved", channel="email").values_list("email", flat=True)
    )
    assert len(sent) == min(COUNT, 9000) and max(sent.values()) == 1
    for slug in ("so-tnmt-scale", "so-nn-scale"):
        response = client.get(reverse("qa:agency", args=[slug]))
        assert response.status_code == 301
        assert response["Location"] == reverse("qa:agency", args=["so-nong-nghiep-va-moi-truong"])
    # Applying again is a no-op.
    services.reorganisation_apply(actor=admin, operation=operation)
    assert QuestionEvent.objects.filter(action="reorganised").count() == COUNT
