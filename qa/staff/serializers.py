"""Input and output shapes of the staff API. No rules here: services decide, these only describe.

Staff serializers may show the asker's contact and the original question: they
are only ever used behind the staff API's per-agency permission checks.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import ConflictErrorSerializer

from .. import deadlines, personal_data, workflow
from ..models import Channel, QuestionStatus, RejectionReason, TakedownReason
from .selectors import ALL_TAB, ORDERINGS, TAB_COUNT_CAP, TABS

DEADLINE_STATES = [deadlines.OVERDUE, deadlines.DUE_SOON, deadlines.ON_TIME, deadlines.PAUSED]

# --- Output ----------------------------------------------------------------------------------


class StaffUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")
    email = serializers.EmailField()


class StaffAgencyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class StaffTopicRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StaffPlaceSerializer(serializers.Serializer):
    """The asker's commune-level unit as recorded (staff only, like the address)."""

    code = serializers.CharField()
    name = serializers.CharField()
    province = serializers.CharField()


class StaffPlaceDetailSerializer(StaffPlaceSerializer):
    successor = serializers.CharField(
        source="successor.code",
        allow_null=True,
        default=None,
        help_text="The code of the unit it merged into, if it no longer exists.",
    )


class StaffQuestionListSerializer(serializers.Serializer):
    """One queue row. `deadline` is the date that matters now (transfer while submitted, else answer)."""

    reference = serializers.CharField()
    title = serializers.CharField(help_text="What the asker wrote (private).")
    public_title = serializers.CharField()
    status = serializers.ChoiceField(choices=QuestionStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    agency = StaffAgencyRefSerializer()
    topic = StaffTopicRefSerializer()
    assignee = StaffUserSerializer(allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    place = StaffPlaceSerializer(allow_null=True, help_text="The asker's commune or ward, if given (staff only).")
    created_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    transfer_due_date = serializers.DateField(allow_null=True)
    deadline = serializers.SerializerMethodField()
    deadline_state = serializers.SerializerMethodField()
    version = serializers.IntegerField(help_text="Send it back as expected_version with a transition.")

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_deadline(self, question):
        # From the rule, not the stored column: a question just changed by a transition holds the old one.
        return deadlines.DeadlineClock.deadline(question)

    @extend_schema_field(serializers.ChoiceField(choices=DEADLINE_STATES, allow_null=True))
    def get_deadline_state(self, question):
        clock = self.context.get("clock") or deadlines.DeadlineClock.for_today()
        return clock.state(question)


class StaffQueueTabsSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    waiting = serializers.IntegerField()
    review = serializers.IntegerField()
    answered = serializers.IntegerField()
    rejected = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    all = serializers.IntegerField()


CAPPED_COUNTS = (
    f"Counts are exact up to {TAB_COUNT_CAP:,}; a tab holding more counts as {TAB_COUNT_CAP:,} and is listed in "
    "tabs_capped (counting stops there so that a large agency's queue stays fast). With a search matching more "
    "than the cap, the chosen tab is still counted up to the cap, and the other tabs count the first matches only: "
    "lower bounds, listed in tabs_capped too."
)


class StaffQueuePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text=(
            f"Questions in the chosen tab with these filters. Exact when `count_exact`; a tab of more than "
            f"{TAB_COUNT_CAP:,} questions gives the database's estimate instead (above {TAB_COUNT_CAP:,}, and at "
            "least the questions paged through so far), which becomes exact on the last page. Paging never depends "
            "on it: `next` is set whenever another question follows, so following `next` reaches every question. "
            "A page number past the end is 404 when the count is exact, an empty page when it is an estimate."
        )
    )
    count_exact = serializers.BooleanField(
        help_text=f"False when the chosen tab holds more than {TAB_COUNT_CAP:,} questions and `count` is an estimate."
    )
    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last one.")
    previous = serializers.URLField(allow_null=True)
    tabs = StaffQueueTabsSerializer(help_text=f"Count per tab with the same filters. {CAPPED_COUNTS}")
    tabs_capped = serializers.ListField(
        child=serializers.ChoiceField(choices=[*TABS, ALL_TAB]),
        help_text=f"The tabs holding more than {TAB_COUNT_CAP:,} questions (their count in `tabs` is a lower bound).",
    )
    results = StaffQuestionListSerializer(many=True)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField(help_text="Empty for questions registered from a call or a letter.")
    phone = serializers.CharField()
    address = serializers.CharField()
    organisation_name = serializers.CharField()
    tax_code = serializers.CharField()
    email_verified_at = serializers.DateTimeField(allow_null=True)
    erased_at = serializers.DateTimeField(
        allow_null=True, help_text="Set when the personal data was erased (on request or after retention)."
    )


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    purpose = serializers.CharField()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_download_url(self, attachment) -> str:
        from django.urls import reverse

        return reverse(
            "api-staff-attachment",
            kwargs={"reference": self.context["reference"], "attachment_id": attachment.pk},
        )


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    label = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = StaffUserSerializer(allow_null=True)
    note = serializers.CharField(help_text="Shown to the asker when the event is public.")
    internal_note = serializers.CharField(help_text="Staff only.")
    data = serializers.DictField()
    is_public = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField())
    def get_label(self, event) -> str:
        return workflow.action_label(event.action)


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = StaffUserSerializer(allow_null=True)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class RevisionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    author = StaffUserSerializer(allow_null=True)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class StaffAnswerSerializer(serializers.Serializer):
    """The answer draft; version 0 and an empty body when nothing was saved yet."""

    body = serializers.CharField(help_text="Sanitised HTML: p, br, ul, ol, li, strong, b, em, i, a.")
    version = serializers.IntegerField(help_text="Send it back with the next save.")
    author = StaffUserSerializer(allow_null=True)
    approved_by = StaffUserSerializer(allow_null=True)
    signed_by = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    can_edit = serializers.BooleanField()
    attachments = AttachmentSerializer(many=True)
    revisions = RevisionSerializer(many=True)


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentSerializer(many=True, source="attachments.all")


class QuestionRefSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=QuestionStatus.choices)


class RatingSerializer(serializers.Serializer):
    satisfied = serializers.BooleanField(allow_null=True, source="rating_satisfied")
    comment = serializers.CharField(source="rating_comment")
    rated_at = serializers.DateTimeField(allow_null=True)


class PersonalDataFindingSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["public_title", "public_body", "answer"])
    kind = serializers.CharField(help_text="name, phone, email, id_number, tax_code, address or organisation")
    label = serializers.CharField()
    text = serializers.CharField(help_text="The matched text: send it back in confirmed_findings to confirm.")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    own = serializers.BooleanField(help_text="The asker's own data (from their contact details).")
    blocking = serializers.BooleanField(help_text="Publishing waits for it to be removed or confirmed.")


class StaffQuestionDetailSerializer(StaffQuestionListSerializer):
    """The whole question for its agency's staff (built from qa.staff.selectors.StaffQuestion)."""

    body = serializers.CharField(help_text="What the asker wrote (private).")
    public_body = serializers.CharField()
    asker_type = serializers.CharField()
    consent_to_publish = serializers.BooleanField()
    language = serializers.CharField()
    paused_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    duplicate_of = serializers.CharField(source="duplicate_of.reference", allow_null=True, default=None)
    follow_up_of = serializers.CharField(source="follow_up_of.reference", allow_null=True, default=None)
    rating = RatingSerializer(source="*")
    contact = ContactSerializer(allow_null=True)
    place = StaffPlaceDetailSerializer(allow_null=True, help_text="The asker's commune or ward, if given.")
    attachments = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()
    follow_ups = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    can_add_note = serializers.SerializerMethodField()
    public_findings = serializers.SerializerMethodField(
        help_text="Personal data found in the public title, text and answer (qa.personal_data): `blocking` ones "
        "must be removed or listed in `confirmed_findings` to publish; the others are warnings."
    )

    def _detail(self):
        return self.context["detail"]

    @extend_schema_field(PersonalDataFindingSerializer(many=True))
    def get_public_findings(self, question):
        found = personal_data.publication_findings(
            question, public_title=question.public_title, public_body=question.public_body
        )
        return [ff.as_dict() for ff in found]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, question):
        return AttachmentSerializer(self._detail().question_attachments, many=True, context=self.context).data

    @extend_schema_field(ReplySerializer(many=True))
    def get_replies(self, question):
        return ReplySerializer(self._detail().replies, many=True, context=self.context).data

    @extend_schema_field(QuestionRefSerializer(many=True))
    def get_follow_ups(self, question):
        return QuestionRefSerializer(self._detail().follow_ups, many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, question):
        return EventSerializer(self._detail().events, many=True).data

    @extend_schema_field(NoteSerializer(many=True))
    def get_notes(self, question):
        return NoteSerializer(self._detail().notes, many=True).data

    @extend_schema_field(StaffAnswerSerializer(allow_null=True))
    def get_answer(self, question):
        detail = self._detail()
        if detail.answer is None:
            return None
        return answer_payload(detail, self.context)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_roles(self, question):
        return sorted(self._detail().roles)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, question):
        return self._detail().actions

    @extend_schema_field(serializers.BooleanField())
    def get_can_add_note(self, question):
        return self._detail().can_add_note


def answer_payload(detail, context) -> dict:
    """The answer part of a StaffQuestion, in StaffAnswerSerializer's shape."""
    answer = detail.answer
    return StaffAnswerSerializer(
        {
            "body": answer.body if answer else "",
            "version": answer.version if answer else 0,
            "author": answer.author if answer else None,
            "approved_by": answer.approved_by if answer else None,
            "signed_by": answer.signed_by if answer else "",
            "sent_at": answer.sent_at if answer else None,
            "updated_at": answer.updated_at if answer else None,
            "can_edit": detail.can_edit_answer,
            "attachments": detail.answer_attachments,
            "revisions": detail.revisions,
        },
        context=context,
    ).data


class StaffTransitionResultSerializer(serializers.Serializer):
    """What a transition did. `question` is the full question as it is now, or null when the move took it out
    of your reach (a transfer to another agency)."""

    action = serializers.CharField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=QuestionStatus.choices)
    version = serializers.IntegerField()
    agency = StaffAgencyRefSerializer()
    question = StaffQuestionDetailSerializer(allow_null=True)


class StaleAnswerErrorSerializer(ConflictErrorSerializer):
    """409 for a draft saved on an old version: the newer one, so nothing is lost."""

    current_version = serializers.IntegerField()
    current_body = serializers.CharField()
    current_author = serializers.CharField()


class TransitionErrorSerializer(ConflictErrorSerializer):
    pass


# --- Input -----------------------------------------------------------------------------------


# Ids are 64-bit: a larger number would reach the database as an out-of-range value.
ID_MAX = 2**63 - 1


class QueueQuerySerializer(serializers.Serializer):
    tab = serializers.ChoiceField(choices=[*TABS, ALL_TAB], default="new")
    agency = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX, help_text="One of your agencies.")
    topic = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    assignee = serializers.RegexField(
        r"^(me|none|[1-9]\d{0,17})$", required=False, help_text='A user id, "me" or "none" (unassigned).'
    )
    due = serializers.ChoiceField(choices=["soon", "overdue"], required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    place = serializers.CharField(
        required=False,
        max_length=10,
        help_text="A commune-level unit's code: its questions and those of the units merged into it.",
    )
    q = serializers.CharField(
        required=False, max_length=200, help_text="Reference, words, or the asker's e-mail/phone."
    )
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), default="due")
    page = serializers.IntegerField(
        default=1,
        min_value=1,
        max_value=1_000_000,
        help_text="Follow `next` to reach every question; see `count` for what a page past the end returns.",
    )
    page_size = serializers.IntegerField(default=20, min_value=1, max_value=100)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
        return attrs


class _TransitionInput(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False, min_value=1, help_text="The question's version you saw; a newer one makes this a 409."
    )


def _action_field(name: str):
    return serializers.ChoiceField(choices=[name], help_text=f'Always "{name}".')


class AcceptInput(_TransitionInput):
    action = _action_field("accept")
    assignee = serializers.IntegerField(required=False, allow_null=True, help_text="Optionally assign at once.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class RejectInput(_TransitionInput):
    action = _action_field("reject")
    reason = serializers.ChoiceField(choices=RejectionReason.choices)
    message = serializers.CharField(max_length=5000, help_text="Sent to the asker.")
    duplicate_of = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="Reference code; required for duplicates."
    )
    internal_note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class TransferInput(_TransitionInput):
    action = _action_field("transfer")
    agency = serializers.IntegerField(min_value=1, help_text="The agency competent to answer.")
    reason = serializers.CharField(max_length=1000, help_text="Shown to the asker.")
    internal_note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class RequestInformationInput(_TransitionInput):
    action = _action_field("request_information")
    message = serializers.CharField(max_length=5000, help_text="What the asker should add; sent to them.")


class AssignInput(_TransitionInput):
    action = _action_field("assign")
    assignee = serializers.IntegerField(allow_null=True, help_text="A user id, or null to unassign.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class SubmitForReviewInput(_TransitionInput):
    action = _action_field("submit_for_review")
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ApproveInput(_TransitionInput):
    action = _action_field("approve")
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ReturnInput(_TransitionInput):
    action = _action_field("return")
    comment = serializers.CharField(max_length=5000, help_text="What should change.")


class SendInput(_TransitionInput):
    action = _action_field("send")
    signed_by = serializers.CharField(required=False, allow_blank=True, max_length=255)


class PublicVersionInput(_TransitionInput):
    public_title = serializers.CharField(max_length=200, help_text="Redacted title (plain text).")
    public_body = serializers.CharField(max_length=10000, help_text="Redacted text (plain text).")
    confirmed_findings = serializers.ListField(
        child=serializers.CharField(max_length=500),
        required=False,
        max_length=50,
        help_text="The matched texts of personal-data findings (from a 409's `findings`) the official confirms "
        "may be published.",
    )


class PublishInput(PublicVersionInput):
    action = _action_field("publish")


class EditPublicInput(PublicVersionInput):
    action = _action_field("edit_public")


class UnpublishInput(_TransitionInput):
    action = _action_field("unpublish")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    category = serializers.ChoiceField(
        choices=TakedownReason.choices, required=False, help_text="Shown in the public takedown log (default other)."
    )


class AnswerByReferenceInput(_TransitionInput):
    action = _action_field("answer_by_reference")
    answer_reference = serializers.CharField(
        max_length=40, help_text="Reference code of a published question whose answer the asker is sent."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, help_text="Sent to the asker.")


class MergeInput(_TransitionInput):
    action = _action_field("merge")
    references = serializers.ListField(
        child=serializers.CharField(max_length=40),
        min_length=1,
        max_length=50,
        help_text="Reference codes of questions in progress of the same agency to merge into this one (the "
        "primary). 403 for a question out of your agencies, 409 for another agency, state or group.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class LeaveGroupInput(_TransitionInput):
    action = _action_field("leave_group")
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


TRANSITION_INPUTS: dict[str, type[serializers.Serializer]] = {
    "accept": AcceptInput,
    "reject": RejectInput,
    "transfer": TransferInput,
    "request_information": RequestInformationInput,
    "assign": AssignInput,
    "submit_for_review": SubmitForReviewInput,
    "approve": ApproveInput,
    "return": ReturnInput,
    "send": SendInput,
    "publish": PublishInput,
    "unpublish": UnpublishInput,
    "edit_public": EditPublicInput,
    "answer_by_reference": AnswerByReferenceInput,
    "merge": MergeInput,
    "leave_group": LeaveGroupInput,
}


class AnswerSaveInput(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, max_length=100000, help_text="HTML; sanitised on save.")
    version = serializers.IntegerField(min_value=0, help_text="The version you edited (0 when there was none).")
    signed_by = serializers.CharField(required=False, allow_blank=True, max_length=255)


class NoteInput(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class DuplicateSerializer(serializers.Serializer):
    """A likely duplicate. Of another agency's question (full_view false) only the reference, agency, status and
    public title are given."""

    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=["open", "published"])
    agency_name = serializers.CharField()
    status = serializers.ChoiceField(choices=QuestionStatus.choices)
    title_html = serializers.CharField(
        source="title", help_text="The title shown (public title for other agencies), escaped, shared words in <mark>."
    )
    shared = serializers.ListField(child=serializers.CharField(), help_text="The phrases it shares with the question.")
    score = serializers.FloatField(help_text="0..1: the share of the question's words and word pairs it holds.")
    full_view = serializers.BooleanField(help_text="You work for its agency and may open it.")
    can_merge = serializers.BooleanField(help_text='"merge" with it as a member would be allowed now.')
    can_link = serializers.BooleanField(help_text='"answer_by_reference" with it would be allowed now.')
    url = serializers.CharField(allow_blank=True, help_text="The public page of a published answer.")


class GroupMemberSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=QuestionStatus.choices)


class GroupSerializer(serializers.Serializer):
    """The question's group (staff of its agency only): no contact data of any asker."""

    id = serializers.IntegerField()
    size = serializers.IntegerField(help_text="How many people asked, the primary included.")
    primary = serializers.CharField(source="primary.reference", help_text="Reference of the primary question.")
    is_primary = serializers.BooleanField()
    members = GroupMemberSerializer(many=True, help_text="The primary first.")


class AnswerTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    topic = StaffTopicRefSerializer(allow_null=True)
