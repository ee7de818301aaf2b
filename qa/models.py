"""Questions, their answers and everything that records their life.

Personal data of the asker lives in AskerContact, apart from the question, so
that public pages, feeds and the API can never reach it by accident: public
serializers and templates only read Question's public_* fields.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency

from .status import DeadlineCase, QuestionStatus, QueueTab, QueueTabCase
from .text import fold

__all__ = ["QuestionStatus", "QueueTab"]  # defined with the status table (qa.status), read from here too


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class AskerType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation or business")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    PAPER = "paper", _("Paper letter")
    EMAIL = "email", _("E-mail")
    DIALOGUE = "dialogue", _("Live dialogue")


class RejectionReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    DUPLICATE = "duplicate", _("Duplicate of another question")
    OUT_OF_SCOPE = "out_of_scope", _("Outside the agency's remit")
    ABUSIVE = "abusive", _("Abusive")
    INCOMPLETE = "incomplete", _("Incomplete")


class TakedownReason(models.TextChoices):
    """Why a published question left the archive: the category the public takedown log shows (no free text)."""

    PERSONAL_DATA = "personal_data", _("Personal data found")
    INACCURATE = "inaccurate", _("Answer out of date or inaccurate")
    LEGAL = "legal", _("Legal request")
    ASKER_REQUEST = "asker_request", _("Asker's request")
    OTHER = "other", _("Other")


def _published_index(name: str, *leading) -> models.Index:
    """A partial index on the published archive ending in its total order (published_at, id, descending)."""
    return models.Index(*leading, F("published_at").desc(), F("id").desc(), name=name, condition=Q(status="published"))


class Question(models.Model):
    reference = models.CharField(_("reference code"), max_length=40, unique=True)
    tracking_token = models.CharField(max_length=64, default=new_tracking_token, editable=False)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="questions")
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="questions")
    status = models.CharField(
        _("status"), max_length=32, choices=QuestionStatus.choices, default=QuestionStatus.UNVERIFIED, db_index=True
    )
    # What the asker wrote: private, kept as it was.
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("question"))
    # What the archive shows once published: the moderator may redact personal data.
    public_title = models.CharField(_("public title"), max_length=200, blank=True)
    public_body = models.TextField(_("public text"), blank=True)
    asker_type = models.CharField(_("asker type"), max_length=20, choices=AskerType.choices)
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asker account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    consent_to_publish = models.BooleanField(_("consent to publication"), default=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(_("asker's language"), max_length=8, default="vi")
    # The commune-level unit (xã, phường, đặc khu) the asker lives in, if they said: for filtering and statistics
    # by place. Shown to staff only, like the address (qa.places reads units; a merged unit keeps its questions).
    place = models.ForeignKey(
        "orgchanges.AdministrativeUnit",
        verbose_name=_("commune or ward"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=True,
    )
    # Workflow fields (not states): who works on it, and the clocks.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_questions",
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    transfer_due_date = models.DateField(_("transfer due date"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_date = models.DateField(_("answer due date"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("clock paused at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # No index of its own: the archive's partial indexes (Meta) serve every read of it. A plain index put the
    # unpublished questions (NULL, first in a descending scan) before the newest published one, and the planner
    # chose it for the list page: 70,000 open questions skipped on every page 1 (115 ms at a million questions).
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The group of the same question this one belongs to (qa.services.groups), its primary included.
    group = models.ForeignKey(
        "QuestionGroup",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    # The asker's rating of the answer.
    rating_satisfied = models.BooleanField(_("asker satisfied"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    # Public counters: views are flushed from the cache in batches, not written per view.
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_yes = models.PositiveIntegerField(_("found helpful"), default=0)
    helpful_no = models.PositiveIntegerField(_("found not helpful"), default=0)
    # Folded (NFC, lower-case, no diacritics, đ→d) public title, text and answer: the search index.
    search_text = models.TextField(blank=True, editable=False)
    # Folded reference, original title and text: what staff search in their queue. Never public: the
    # archive searches search_text only. Kept in save() because the original never changes after creation.
    staff_search_text = models.TextField(blank=True, editable=False)
    # Optimistic concurrency: every state change bumps it; forms carry the version they showed.
    version = models.PositiveIntegerField(default=1)
    # The short link sent by SMS (/s/<token>/ → the tracking page); set the first time an SMS needs it.
    short_token = models.CharField(max_length=16, unique=True, null=True, blank=True, editable=False)
    # HMAC of the lookup PIN printed on the receipt ("Theo dõi câu hỏi": reference + PIN); never the PIN itself.
    lookup_pin_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The date that matters now (qa.deadlines.DeadlineClock.deadline): the transfer deadline while submitted, the
    # answer deadline while in work or waiting for the asker, none otherwise. Stored by the database so the staff
    # queue sorts and filters on an index instead of computing it for every row; never written by Django (and
    # stale on an instance after an update until it is read again).
    deadline = models.GeneratedField(
        expression=DeadlineCase(),
        output_field=models.DateField(null=True, blank=True),
        db_persist=True,
        verbose_name=_("deadline"),
    )
    # The staff queue tab (qa.status.QueueTab), stored so that every tab, even one of two statuses, is one range
    # of the (agency, queue_tab, ...) indexes: a page reads its rows in order and a count stops after the cap.
    # Both generated columns are built from qa.status.STATUS_TABLE and kept in step by qa.status_schema.
    queue_tab = models.GeneratedField(
        expression=QueueTabCase(),
        output_field=models.CharField(max_length=12, null=True, blank=True),
        db_persist=True,
        verbose_name=_("queue tab"),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="qa_q_status_pub_idx"),
            # The public archive: one partial index per sort and per narrowing filter, each ending in the total
            # order's published_at, id, so a page is an index range and "older results" (keyset) start mid-index
            # (qa.selectors.archive_page; issue 17: most viewed / most helpful sorted a million rows, 2.0-2.35 s).
            _published_index("qa_q_pub_newest_idx"),
            _published_index("qa_q_pub_views_idx", F("view_count").desc()),
            _published_index("qa_q_pub_helpful_idx", F("helpful_yes").desc()),
            _published_index("qa_q_pub_agency_idx", F("agency")),
            _published_index("qa_q_pub_topic_idx", F("topic")),
            # Most viewed / most helpful within an agency: the views index filtered by agency read a row of the
            # table for each of its rows (word/agency/views, page 10: 102-122 ms at a million questions).
            _published_index("qa_q_pub_agency_views_idx", F("agency"), F("view_count").desc()),
            _published_index("qa_q_pub_agency_helpful_idx", F("agency"), F("helpful_yes").desc()),
            # The staff queue (qa.staff.selectors): one tab in each order, and capped tab counts (index only).
            models.Index(fields=["agency", "queue_tab", "deadline", "-created_at", "-id"], name="qa_q_tab_due_idx"),
            models.Index(fields=["agency", "queue_tab", "-created_at", "-id"], name="qa_q_tab_created_idx"),
            models.Index(fields=["agency", "queue_tab", "-updated_at", "-id"], name="qa_q_tab_updated_idx"),
            # The "all" tab by deadline, and the overdue / due-soon filters.
            models.Index(fields=["agency", "deadline", "-created_at", "-id"], name="qa_q_agency_deadline_idx"),
            models.Index(fields=["agency", "-created_at", "-id"], name="qa_q_agency_created_idx"),
            models.Index(fields=["agency", "-updated_at", "-id"], name="qa_q_agency_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        self.staff_search_text = fold(f"{self.reference} {self.title} {self.body}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"reference", "title", "body"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "staff_search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("qa:question_detail", kwargs={"reference": self.reference})

    def tracking_path(self) -> str:
        return reverse("qa:track", kwargs={"reference": self.reference}) + f"?token={self.tracking_token}"

    @property
    def is_published(self) -> bool:
        return self.status == QuestionStatus.PUBLISHED

    @property
    def askers(self) -> int:
        """How many people asked this question: its group's size (QuestionGroup.size), 1 outside a group.

        Read with the group selected (qa.selectors.published_questions and the archive's list do: no query per
        row); otherwise reading it costs one query.
        """
        if self.group_id is None:
            return 1
        group = self.group
        return group.size if group is not None and group.size > 0 else 1


class QuestionGroup(models.Model):
    """Questions of one agency that ask the same thing, handled once through the primary question.

    Every member keeps its own asker, reference code and tracking page; when the primary's answer is sent each
    member receives a copy (qa.services.groups). `size` counts the members, the primary included: the archive's
    "N people asked" reads it without counting rows.
    """

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    primary = models.OneToOneField(
        Question, verbose_name=_("primary question"), on_delete=models.CASCADE, related_name="led_group"
    )
    size = models.PositiveIntegerField(_("number of askers"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("group of questions")
        verbose_name_plural = _("groups of questions")

    def __str__(self) -> str:
        return f"{self.pk} ({self.size})"


class AskerContact(models.Model):
    """The asker's personal data: never on a public page, feed or API response."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="contact")
    name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("e-mail"), db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    organisation_name = models.CharField(_("organisation name"), max_length=255, blank=True)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    # Set when the contact data was erased (on the asker's request, or after the retention period): the
    # fields above are then empty and the question stays in the archive anonymised.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    phone_verified_at = models.DateTimeField(_("phone confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("asker contact")
        verbose_name_plural = _("asker contacts")

    def __str__(self) -> str:
        return self.name


class ReferenceSequence(models.Model):
    """Last number given per agency and year; locked row so codes never repeat."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="unique_reference_sequence")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last_value}"


class Answer(models.Model):
    """The agency's answer: sanitised HTML, with every saved revision kept."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer")
    body = models.TextField(_("answer"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_by = models.CharField(_("signed by"), max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question.reference}"


class AnswerRevision(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["answer", "version"], name="unique_answer_revision")]

    def __str__(self) -> str:
        return f"{self.answer_id} v{self.version}"


class AskerReply(models.Model):
    """The asker's reply to a request for more information."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(_("reply"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.question_id} {self.created_at:%Y-%m-%d}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A random name with the extension of the type qa.files detected: nothing of the client's name."""
    from .files import EXTENSIONS

    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{secrets.token_hex(16)}{EXTENSIONS.get(instance.content_type, '.bin')}"


class Attachment(models.Model):
    class Purpose(models.TextChoices):
        QUESTION = "question", _("Question")
        REPLY = "reply", _("Asker's reply")
        ANSWER = "answer", _("Answer")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(AskerReply, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.QUESTION)
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


class QuestionEvent(models.Model):
    """One row per state change or notable action: who, when, from, to, note.

    Public events (is_public) form the timeline on the asker's tracking page;
    `note` is shown to the asker there, `internal_note` only to staff.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.question_id} {self.action} {self.from_status}→{self.to_status}"


class InternalNote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.question_id} {self.created_at:%Y-%m-%d}"


class HelpfulVote(models.Model):
    """ "Was this helpful?": one vote per user, or per browser for visitors."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="helpful_votes")
    voter_key = models.CharField(max_length=80)
    helpful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "voter_key"], name="unique_helpful_vote")]

    def __str__(self) -> str:
        return f"{self.question_id} {self.helpful}"


class AnswerTemplate(models.Model):
    """Mẫu trả lời: a starting text for answerers, per agency and optionally topic."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="answer_templates"
    )
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CalendarDay(models.Model):
    """A date an admin adds to the working-day calendar: an extra day off, or a make-up working day."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKING_DAY = "working_day", _("Working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DAY_OFF)
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class PersonalDataAccess(models.Model):
    """One row each time staff see a question's personal data: who, when, which question, where.

    The agency is the question's agency at the time, so its admin sees the log even after a transfer.
    Rows hold no personal data themselves.
    """

    class Surface(models.TextChoices):
        STAFF_PAGE = "staff_page", _("Staff question page")
        STAFF_API = "staff_api", _("Staff API")
        SEARCH = "search", _("Queue search by e-mail or phone")
        ATTACHMENT = "attachment", _("Asker's attachment")

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="personal_data_accesses"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    surface = models.CharField(_("where"), max_length=20, choices=Surface.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agency", "-created_at", "-id"], name="qa_pda_agency_idx")]

    def __str__(self) -> str:
        return f"{self.question_id} {self.surface} {self.created_at:%Y-%m-%d %H:%M}"


class PhoneChallenge(models.Model):
    """A one-time code sent by SMS to confirm a phone-only question; only its keyed hash is kept.

    A new code replaces the previous ones (they stop working); each code allows a few attempts
    and expires after QA_PHONE_CODE_TTL seconds.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="phone_challenges")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("phone confirmation code")
        verbose_name_plural = _("phone confirmation codes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.question_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class RoutingModel(models.Model):
    """A trained agency-and-topic suggester (qa.routing): one row per training, the newest is used.

    The weights are numeric arrays only (numpy's npz, loaded without pickle), over hashed word features:
    no word, name or text of any question is stored. Read-only in the admin, which can ask for a retrain.
    """

    class Approach(models.TextChoices):
        LINEAR = "linear", _("Linear classifier over words and word pairs")
        KNN = "knn", _("Vote of the most similar published answers")

    approach = models.CharField(_("approach"), max_length=12, choices=Approach.choices)
    trained_at = models.DateTimeField(_("trained at"), default=timezone.now, db_index=True)
    questions = models.PositiveIntegerField(_("questions used for training"))
    held_out = models.PositiveIntegerField(_("held-out questions"))
    agency_top1 = models.FloatField(_("agency accuracy (top 1)"))
    agency_top3 = models.FloatField(_("agency accuracy (top 3)"))
    topic_top1 = models.FloatField(_("topic accuracy (top 1)"))
    # The other approach's figures on the same held-out questions: {"knn": {"agency_top1": …}, …}.
    comparison = models.JSONField(_("comparison"), default=dict, blank=True)
    seconds = models.FloatField(_("training time (seconds)"), default=0)
    weights = models.BinaryField(editable=False, default=b"")

    class Meta:
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"v{self.pk} {self.approach} {self.trained_at:%Y-%m-%d %H:%M}"


class ArchiveAnswerDay(models.Model):
    """Per day and topic: visits of the ask form that opened a suggested answer, and those followed by a question.

    Counted once per browser session (its first opened answer gives the day and topic), in the session only:
    no cookie of its own, address or text. "Answered by the archive" is opened − followed (stats).
    """

    day = models.DateField(_("day"))
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="+")
    opened = models.PositiveIntegerField(_("opened a suggested answer"), default=0)
    followed = models.PositiveIntegerField(_("followed by a question"), default=0)

    class Meta:
        verbose_name = _("archive answers day")
        verbose_name_plural = _("archive answers days")
        constraints = [models.UniqueConstraint(fields=["day", "topic"], name="qa_archive_answer_day_topic")]

    def __str__(self) -> str:
        return f"{self.day} {self.topic_id}: {self.opened - self.followed}"
