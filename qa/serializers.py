"""Input and output shapes of the public Q&A API.

Output serializers name every field they expose and read only the public ones:
public_title/public_body (never the asker's original text), no AskerContact
field, no tracking token. Input serializers only parse types; the rules (what is
required, lengths, formats) live in qa.services.submission so the web form and the
API give the same messages.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from accounts.models import Agency

from . import workflow
from .models import Answer, AskerType, Attachment, Question, QuestionEvent, QuestionStatus, RejectionReason, Topic
from .sanitize import clean_answer_html


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


# --- Public output ----------------------------------------------------------------------------


class AgencyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "slug"]


class TopicRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "name", "slug"]


class AgencySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text="Id of the parent agency.")

    class Meta:
        model = Agency
        fields = ["id", "name", "slug", "code", "kind", "parent"]


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "name", "slug", "description"]


class PlaceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Send it as `place` when asking.")
    name = serializers.CharField()
    unit_type = serializers.CharField(help_text="phuong, xa or dac_khu.")
    province = serializers.CharField()


class PublicAnswerSerializer(serializers.ModelSerializer):
    body = serializers.SerializerMethodField(help_text="Sanitised HTML.")

    class Meta:
        model = Answer
        fields = ["body", "sent_at"]

    def get_body(self, answer: Answer) -> str:
        # Stored sanitised; cleaned again on the way out because API clients put it into other sites' pages.
        return clean_answer_html(answer.body)


class PublicQuestionSerializer(serializers.ModelSerializer):
    """A published question as the archive shows it (the redacted public version)."""

    title = serializers.CharField(source="public_title", read_only=True)
    body = serializers.CharField(source="public_body", read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    topic = TopicRefSerializer(read_only=True)
    url = serializers.SerializerMethodField(help_text="The question's public web page.")
    askers = serializers.IntegerField(
        read_only=True,
        min_value=1,
        help_text="How many people asked this question: 1, or the size of the group of the same question that "
        "was answered once for all of them (the archive's “N people asked this question”).",
    )

    class Meta:
        model = Question
        fields = [
            "reference",
            "title",
            "body",
            "agency",
            "topic",
            "published_at",
            "answered_at",
            "view_count",
            "helpful_yes",
            "helpful_no",
            "askers",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, question: Question) -> str:
        return _absolute(self.context.get("request"), question.get_absolute_url())


class PublicQuestionDetailSerializer(PublicQuestionSerializer):
    answer = serializers.SerializerMethodField()

    class Meta(PublicQuestionSerializer.Meta):
        fields = [*PublicQuestionSerializer.Meta.fields, "answer"]
        read_only_fields = fields

    @extend_schema_field(PublicAnswerSerializer(allow_null=True))
    def get_answer(self, question: Question) -> dict | None:
        # select_related("answer") already loaded it; a missing reverse one-to-one reads as None.
        answer = getattr(question, "answer", None)
        return PublicAnswerSerializer(answer).data if answer is not None else None


class SimilarQuestionSerializer(serializers.Serializer):
    """The flat shape the ask form's script shows while a citizen types a title."""

    reference = serializers.CharField()
    title = serializers.CharField(source="public_title")
    url = serializers.SerializerMethodField(help_text="The question's public web page.")
    agency = serializers.CharField(source="agency.name", help_text="Agency name.")
    topic = serializers.CharField(source="topic.name", help_text="Topic name.")
    published_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, question: Question) -> str:
        return _absolute(self.context.get("request"), question.get_absolute_url())


class RoutingChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField(help_text="Agency code, or topic slug.")
    score = serializers.FloatField(help_text="Probability (0–1) the model gives it.")


class RoutingSuggestionSerializer(serializers.Serializer):
    """Top-3 agencies and topics for a question being typed (qa.routing)."""

    agencies = RoutingChoiceSerializer(many=True)
    topics = RoutingChoiceSerializer(many=True)
    confident = serializers.BooleanField(help_text="Whether the first agency is likely enough to preselect.")
    model_version = serializers.IntegerField(allow_null=True, help_text="The RoutingModel that answered.")


# --- The asker's tracking view -------------------------------------------------------------------


class StatusSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=QuestionStatus.choices)
    label = serializers.CharField()


class TimelineEventSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField(help_text="What happened, translated.")
    time = serializers.DateTimeField(source="created_at")

    class Meta:
        model = QuestionEvent
        fields = ["action", "label", "note", "from_status", "to_status", "time"]

    def get_label(self, event: QuestionEvent) -> str:
        transition = workflow.TRANSITIONS.get(event.action)
        return str(transition.label) if transition is not None else event.action


class TrackAttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")

    class Meta:
        model = Attachment
        fields = ["name", "content_type", "size", "purpose"]


class TrackedQuestionSerializer(serializers.ModelSerializer):
    """What the holder of the tracking link sees: their own question and its progress, no contact data.

    The sent answer comes in through context["answer"] (qa.selectors.sent_answer decides it).
    """

    status = serializers.SerializerMethodField()
    agency = AgencyRefSerializer(read_only=True)
    topic = TopicRefSerializer(read_only=True)
    timeline = TimelineEventSerializer(source="events", many=True, read_only=True)
    attachments = TrackAttachmentSerializer(many=True, read_only=True)
    answer = serializers.SerializerMethodField()
    rejection_reason = serializers.ChoiceField(choices=RejectionReason.choices, allow_blank=True, read_only=True)
    public_url = serializers.SerializerMethodField(help_text="The public page, once the question is published.")
    can_withdraw = serializers.SerializerMethodField(help_text="Whether the asker may still withdraw it.")

    class Meta:
        model = Question
        fields = [
            "reference",
            "status",
            "title",
            "body",
            "asker_type",
            "agency",
            "topic",
            "created_at",
            "received_at",
            "accepted_at",
            "due_date",
            "answered_at",
            "published_at",
            "rejection_reason",
            "timeline",
            "attachments",
            "answer",
            "public_url",
            "can_withdraw",
        ]
        read_only_fields = fields

    @extend_schema_field(StatusSerializer)
    def get_status(self, question: Question) -> dict:
        return {"code": question.status, "label": str(QuestionStatus(question.status).label)}

    @extend_schema_field(PublicAnswerSerializer(allow_null=True))
    def get_answer(self, question: Question) -> dict | None:
        answer = self.context.get("answer")
        return PublicAnswerSerializer(answer).data if answer is not None else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_public_url(self, question: Question) -> str | None:
        if not question.is_published:
            return None
        return _absolute(self.context.get("request"), question.get_absolute_url())

    def get_can_withdraw(self, question: Question) -> bool:
        return workflow.can_apply(question, "withdraw", {workflow.ASKER})


# --- Asking -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ObjectIdField(serializers.Field):
    """An id that the service checks: anything that is not a number reads as "not chosen".

    The service then answers with its own message ("Choose the agency…"), the same as the web form's.
    """

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        return "" if value is empty else value

    def to_internal_value(self, data) -> int | None:
        if isinstance(data, bool):
            return None
        try:
            value = int(str(data).strip())
        except (TypeError, ValueError):
            return None
        # Outside the range of a primary key it cannot name a row (and must not reach the database).
        return value if 0 < value < 2**63 else None

    def to_representation(self, value):
        return value


class ServiceCheckedChoiceField(serializers.ChoiceField):
    """Documents the choices in the schema but leaves the check (and its message) to the service."""

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        return "" if value is empty else value

    def to_internal_value(self, data) -> str:
        return "" if data is None else str(data)


class ServiceCheckedText(serializers.CharField):
    """Text whose rules (required, length, format) the service checks, reporting every field at once.

    A required one is marked required in the schema, but a missing value reaches the
    service as "" so the citizen gets the service's message, not a generic one.
    """

    def __init__(self, *, required: bool, help_text: str = ""):
        super().__init__(
            required=required,
            allow_blank=True,
            trim_whitespace=False,
            help_text=help_text,
            **({} if required else {"default": ""}),
        )

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        return "" if value is empty else value


class QuestionSubmitSerializer(serializers.Serializer):
    """A new question as JSON."""

    agency = ObjectIdField(help_text="Id of the agency asked (see /api/v1/agencies/).")
    topic = ObjectIdField(help_text="Id of the topic (see /api/v1/topics/).")
    title = ServiceCheckedText(required=True, help_text="At most 200 characters.")
    body = ServiceCheckedText(required=True, help_text="The question, at most 5,000 characters.")
    asker_type = ServiceCheckedChoiceField(choices=AskerType.choices)
    name = ServiceCheckedText(required=True, help_text="The asker's full name (private).")
    email = ServiceCheckedText(
        required=False,
        help_text="Where the confirmation link, tracking link and answer are sent (private). "
        "An e-mail or a mobile phone number is required.",
    )
    phone = ServiceCheckedText(
        required=False,
        help_text="Vietnamese phone number (private). Without an e-mail it must be a mobile number "
        "(0912 345 678, +84 912345678…): a 6-digit code is sent to it by SMS, to be posted to "
        "/api/v1/questions/{reference}/confirm-phone/, and status changes come by SMS.",
    )
    address = ServiceCheckedText(required=False, help_text="Optional postal address (private).")
    place = ServiceCheckedText(
        required=False,
        help_text="Optional: the code of the commune, ward or special zone the asker lives in, one in force today "
        "(private: seen by the agency, counted in the statistics by place). An unknown or merged unit is a 400.",
    )
    organisation_name = ServiceCheckedText(
        required=False, help_text="Required when asker_type is organisation (private)."
    )
    tax_code = ServiceCheckedText(
        required=False,
        help_text="Required when asker_type is organisation: 10 digits with a valid check digit, or 10-3 (private).",
    )
    consent_to_publish = serializers.BooleanField(
        required=False, default=False, help_text="Whether the asker agrees that a redacted version may be published."
    )


class QuestionSubmitMultipartSerializer(QuestionSubmitSerializer):
    """A new question as multipart/form-data, with up to 5 files."""

    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        default=list,
        help_text="Up to 5 PDF, JPEG, PNG or DOCX files of at most 10 MB each; the type is read from the content.",
    )


class QuestionSubmittedSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="The reference code (mã tra cứu).")
    status = serializers.ChoiceField(choices=QuestionStatus.choices)
    message = serializers.CharField(help_text="What happens next, translated.")
    tracking_url = serializers.URLField(
        required=False,
        help_text="The private tracking link; only when the question went straight to the agency "
        "(a logged-in user whose verified e-mail matches). Guests get it by e-mail after confirming.",
    )


# --- Error shapes, for the schema ----------------------------------------------------------------


def _field_errors(name: str, fields: list[str]) -> type[serializers.Serializer]:
    attrs: dict = {field: serializers.ListField(child=serializers.CharField(), required=False) for field in fields}
    if "attachments" in attrs:
        # A list field's errors may be messages per item: {"0": ["Not a file."]}.
        attrs["attachments"] = serializers.JSONField(
            required=False,
            help_text='A list of messages, or messages per file by its position in the list (`{"0": ["…"]}`).',
        )
    attrs["__doc__"] = "A 400 response: translated messages per field."
    return type(name, (serializers.Serializer,), attrs)


QuestionSubmitErrorSerializer = _field_errors(
    "QuestionSubmitError",
    [
        "agency",
        "topic",
        "title",
        "body",
        "asker_type",
        "name",
        "email",
        "phone",
        "address",
        "place",
        "organisation_name",
        "tax_code",
        "consent_to_publish",
        "attachments",
        "non_field_errors",
    ],
)
ArchiveFilterErrorSerializer = _field_errors(
    "ArchiveFilterError", ["search", "agency", "topic", "date_from", "date_to", "ordering"]
)

SUBMITTED_MESSAGE = _(
    "Thank you. Your question has been sent to the agency. Keep the tracking link: it shows the progress "
    "of your question and its answer."
)
CONFIRM_PHONE_MESSAGE = _(
    "Thank you. We have sent a 6-digit code by SMS to your mobile number. Your question reaches the agency "
    "once you enter it."
)
CONFIRM_MESSAGE = _(
    "Thank you. We have sent a confirmation link to your e-mail address. Your question reaches the agency "
    "once you open it; the tracking link comes in the next e-mail."
)


class PhoneCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12, help_text="The 6-digit code received by SMS.")


class PhoneConfirmedSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=QuestionStatus.choices)
    tracking_url = serializers.URLField(help_text="The private tracking link.")
