"""API input and output shapes. Output serializers render the same payloads the socket sends
(dialogues.payloads), so the OpenAPI schema describes both. No business rules here."""

from rest_framework import serializers

from .models import AnswerKind, LiveQuestionStatus, SessionStatus


class VideoOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["hls", "embed"])
    url = serializers.URLField()


class SessionStateOut(serializers.Serializer):
    """The live state of a session, as in `session.*` events and snapshots."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    questions_open = serializers.BooleanField()
    scheduled_start = serializers.DateTimeField()
    scheduled_end = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    video = VideoOut(allow_null=True)


class PanelistOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.CharField()


class AgencyOut(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    code = serializers.CharField()


class SessionOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    agency = AgencyOut()
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    questions_open = serializers.BooleanField(source="accepts_questions")
    scheduled_start = serializers.DateTimeField()
    scheduled_end = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    panelists = PanelistOut(many=True)
    url = serializers.CharField(source="get_absolute_url")
    socket = serializers.SerializerMethodField()
    seq = serializers.IntegerField(source="last_seq", help_text="Number of the session's last public event.")

    def get_socket(self, session) -> str:
        return f"/ws/dialogues/{session.pk}/"


class AnswerByOut(serializers.Serializer):
    name = serializers.CharField()
    position = serializers.CharField(allow_blank=True)


class AnswerOut(serializers.Serializer):
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=AnswerKind.choices)
    by = AnswerByOut(allow_null=True, help_text="The panelist who answered; null for an unnamed summary.")
    at = serializers.DateTimeField(allow_null=True)


class QuestionOut(serializers.Serializer):
    """A question as everybody sees it (masked text; no contact data)."""

    id = serializers.IntegerField()
    text = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=LiveQuestionStatus.choices)
    votes = serializers.IntegerField()
    position = serializers.IntegerField()
    asked_at = serializers.DateTimeField()
    answer = AnswerOut(allow_null=True)
    forwarded = serializers.BooleanField()


class ModeratorQuestionOut(QuestionOut):
    """What moderators see in addition: the original text and name, and contact flags (never the contact)."""

    original_text = serializers.CharField()
    original_name = serializers.CharField(allow_blank=True)
    guest = serializers.BooleanField()
    has_email = serializers.BooleanField()
    muted = serializers.BooleanField()


class EventOut(serializers.Serializer):
    type = serializers.CharField()
    seq = serializers.IntegerField()
    scope = serializers.CharField(required=False, help_text="Only on moderators' events: “moderators”.")
    data = serializers.DictField()
    at = serializers.DateTimeField()


class EventPageOut(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The session's current seq in this scope.")
    events = EventOut(many=True)
    more = serializers.BooleanField(help_text="True when more events follow: ask again with after=<last seq>.")


class AskIn(serializers.Serializer):
    text = serializers.CharField(max_length=2000, trim_whitespace=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional and private: lets the question go to the agency's Q&A queue if not answered live.",
    )


class AskOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=LiveQuestionStatus.choices)


class VoteOut(serializers.Serializer):
    question = serializers.IntegerField()
    votes = serializers.IntegerField()


class SubscribeIn(serializers.Serializer):
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")


class SubscribeOut(serializers.Serializer):
    session = serializers.IntegerField(source="session_id")
    subscribed = serializers.BooleanField(default=True)


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class TextIn(serializers.Serializer):
    text = serializers.CharField(max_length=6000)


class AnswerIn(serializers.Serializer):
    text = serializers.CharField(max_length=6000)
    kind = serializers.ChoiceField(choices=AnswerKind.choices, required=False, allow_null=True, default=None)
    panelist = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Moderators: the panelist who spoke."
    )


class ForwardIn(serializers.Serializer):
    topic = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Topic id; default: the session's topic."
    )


class ForwardOut(serializers.Serializer):
    reference = serializers.CharField()


class ForwardAllOut(serializers.Serializer):
    sent = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.DictField(child=serializers.CharField())


class ReorderIn(serializers.Serializer):
    order = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=1000)


class ReorderOut(serializers.Serializer):
    order = serializers.ListField(child=serializers.IntegerField())


class VideoIn(serializers.Serializer):
    video_url = serializers.CharField(max_length=500, allow_blank=True)


class AnnouncementIn(serializers.Serializer):
    text = serializers.CharField(max_length=1000)
    photo = serializers.FileField(required=False, allow_null=True, default=None)
    photo_alt = serializers.CharField(max_length=400, required=False, allow_blank=True, default="")


class AnnouncementOut(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    photo = serializers.CharField(allow_null=True)
    photo_alt = serializers.CharField()
    at = serializers.DateTimeField()


class PanelistIn(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    position = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    user = serializers.IntegerField(required=False, allow_null=True, default=None)


class SessionCreateIn(serializers.Serializer):
    agency = serializers.SlugField(help_text="The host agency's slug.")
    title = serializers.CharField(max_length=400)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.SlugField(required=False, allow_null=True, default=None, help_text="Topic slug.")
    scheduled_start = serializers.DateTimeField()
    scheduled_end = serializers.DateTimeField()
    panelists = PanelistIn(many=True, required=False, default=list)
    allow_questions_before_start = serializers.BooleanField(required=False, default=True)
    allow_guest_questions = serializers.BooleanField(required=False, default=True)
    question_max_length = serializers.IntegerField(required=False, default=500)
    video_url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
