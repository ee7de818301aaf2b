"""Factories of the dialogues tests."""

import datetime

import factory
from django.utils import timezone

from dialogues.models import DialogueSession, LiveQuestion, LiveQuestionStatus, Panelist, SessionStatus
from tests.factories import AgencyFactory


class DialogueSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DialogueSession

    agency = factory.SubFactory(AgencyFactory)
    title = factory.Sequence(lambda n: f"Đối thoại trực tuyến số {n} về thủ tục đất đai")
    description = "Lãnh đạo Sở trả lời câu hỏi của người dân."
    scheduled_start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
    scheduled_end = factory.LazyAttribute(lambda o: o.scheduled_start + datetime.timedelta(hours=2))
    status = SessionStatus.SCHEDULED


class LiveSessionFactory(DialogueSessionFactory):
    status = SessionStatus.LIVE
    questions_open = True
    scheduled_start = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=10))
    started_at = factory.LazyFunction(timezone.now)


class PanelistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panelist

    session = factory.SubFactory(DialogueSessionFactory)
    name = factory.Sequence(lambda n: f"Ông Phạm Văn {n}")
    position = "Giám đốc Sở"


class LiveQuestionFactory(factory.django.DjangoModelFactory):
    """A question written straight to the table (no event): for reads and permission tables."""

    class Meta:
        model = LiveQuestion

    session = factory.SubFactory(LiveSessionFactory)
    text = factory.Sequence(lambda n: f"Xin hỏi thủ tục cấp đổi sổ đỏ lần {n} mất bao lâu?")
    public_text = factory.LazyAttribute(lambda o: o.text)
    display_name = "Bà Lan"
    public_name = "Bà Lan"
    asker_key = factory.Sequence(lambda n: f"b:browser{n}")
    status = LiveQuestionStatus.PENDING
