"""The cluster test's database side, run in a subprocess on the cluster's primary (DATABASE_URL):

    python -m tests.cluster.actions seed              → JSON ids (agency, topic, session, moderator, questions)
    python -m tests.cluster.actions approve N [GAP]   → approves the next N pending live questions, GAP s apart

Approving goes through the service (dialogues.services), which publishes each event through the hub's Redis
(DIALOGUES_HUB_REDIS_URL, the sentinels) after commit: what a moderator's console does on a web node.
"""

import json
import sys
import time

import django


def seed(pending: int) -> dict:
    from tests.dialogues.factories import LiveQuestionFactory, LiveSessionFactory
    from tests.factories import AgencyFactory, MembershipFactory, PublishedQuestionFactory, TopicFactory

    agency = AgencyFactory(name="Sở Tài nguyên và Môi trường", code="HP-STNMT")
    topic = TopicFactory(name="Đất đai")
    questions = [PublishedQuestionFactory(agency=agency, topic=topic).reference for _ in range(5)]
    session = LiveSessionFactory(agency=agency)
    moderator = MembershipFactory(agency=agency).user
    for _ in range(pending):
        LiveQuestionFactory(session=session)
    return {
        "agency": agency.pk,
        "topic": topic.pk,
        "session": session.pk,
        "moderator": moderator.pk,
        "questions": questions,
    }


def approve(count: int, gap: float) -> dict:
    from accounts.models import User
    from dialogues.models import LiveQuestion
    from dialogues.services import live_question_approve

    moderator = User.objects.filter(memberships__isnull=False).first()
    ids = list(LiveQuestion.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)[:count])
    for pk in ids:
        live_question_approve(question_id=pk, actor=moderator)
        time.sleep(gap)
    return {"approved": len(ids)}


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "seed":
        print(json.dumps(seed(int(sys.argv[2]) if len(sys.argv) > 2 else 200)))
    else:
        print(json.dumps(approve(int(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 0.05)))
