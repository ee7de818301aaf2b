"""Live dialogue sessions, their questions, votes, and the numbered event log that feeds the sockets.

Every public change of a session is a SessionEvent with a per-session sequence
number (`seq`), allocated while the session row is locked, so the numbers have
no gaps and follow commit order. Sockets and `GET …/events/?after=N` read the
same rows. Moderator-only events (pending questions, mutes) have their own
sequence under scope "moderators", so watchers still see consecutive numbers.
"""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open for questions")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")
    TRANSCRIPT_PUBLISHED = "transcript_published", _("Transcript published")


UPCOMING_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.OPEN, SessionStatus.LIVE)
PAST_STATUSES = (SessionStatus.ENDED, SessionStatus.TRANSCRIPT_PUBLISHED)


class DialogueSession(models.Model):
    """A scheduled live session of one host agency."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("host agency"), on_delete=models.PROTECT, related_name="dialogue_sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    topic = models.ForeignKey(
        "qa.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Topic given to unanswered questions sent to the agency's Q&A queue."),
    )
    scheduled_start = models.DateTimeField(_("scheduled start"), db_index=True)
    scheduled_end = models.DateTimeField(_("scheduled end"))
    status = models.CharField(
        _("status"), max_length=24, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED, db_index=True
    )
    # Settings
    allow_questions_before_start = models.BooleanField(_("questions allowed before the start"), default=True)
    allow_guest_questions = models.BooleanField(_("guests may ask"), default=True)
    question_max_length = models.PositiveSmallIntegerField(_("question length limit"), default=500)
    # Whether asking is possible right now; moderators open and close it.
    questions_open = models.BooleanField(_("questions open"), default=False)
    video_url = models.URLField(
        _("video address"),
        max_length=500,
        blank=True,
        help_text=_("An HLS stream (.m3u8) or an embed address of an allowed video platform."),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    transcript_published_at = models.DateTimeField(_("transcript published at"), null=True, blank=True)
    # Last allocated event numbers (public and moderators' scope), taken under the row lock.
    last_seq = models.PositiveIntegerField(default=0, editable=False)
    last_mod_seq = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dialogue session")
        verbose_name_plural = _("dialogue sessions")
        ordering = ["-scheduled_start"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dialogues:detail", kwargs={"pk": self.pk})

    @property
    def is_past(self) -> bool:
        return self.status in PAST_STATUSES

    @property
    def accepts_questions(self) -> bool:
        return self.questions_open and self.status in (SessionStatus.OPEN, SessionStatus.LIVE)


class SessionStatusChange(models.Model):
    """Audit of the session's status machine: who moved it, when, from and to."""

    session = models.ForeignKey(DialogueSession, on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=24)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.from_status}→{self.to_status}"


class Panelist(models.Model):
    """Khách mời: a person answering in the session; linked to an account to type answers."""

    session = models.ForeignKey(DialogueSession, on_delete=models.CASCADE, related_name="panelists")
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="panelist_roles",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("panelist")
        verbose_name_plural = _("panelists")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.position})" if self.position else self.name


class LiveQuestionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    APPROVED = "approved", _("Approved")
    ANSWERING = "answering", _("Now answering")
    ANSWERED = "answered", _("Answered")
    REJECTED = "rejected", _("Rejected")


PUBLIC_QUESTION_STATUSES = (LiveQuestionStatus.APPROVED, LiveQuestionStatus.ANSWERING, LiveQuestionStatus.ANSWERED)


class AnswerKind(models.TextChoices):
    TYPED = "typed", _("Typed by the panelist")
    SUMMARY = "summary", _("Summary of a spoken answer")


class LiveQuestion(models.Model):
    """A short question asked during a session; separate from the Q&A archive.

    `text` and `display_name` are what the asker wrote (moderators see them);
    `public_text` and `public_name` are the masked versions everyone else sees.
    The asker's account, e-mail and browser key are private.
    """

    session = models.ForeignKey(DialogueSession, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    public_text = models.TextField(_("public text"))
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    public_name = models.CharField(_("public name"), max_length=80, blank=True)
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_questions"
    )
    asker_email = models.EmailField(_("asker's e-mail"), blank=True)
    # "u:<user id>" or "b:<browser key>": who to mute, and whose rate limit.
    asker_key = models.CharField(max_length=80, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=LiveQuestionStatus.choices, default=LiveQuestionStatus.PENDING
    )
    position = models.IntegerField(_("order"), default=0)
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    answer_text = models.TextField(_("answer"), blank=True)
    answer_kind = models.CharField(_("answer kind"), max_length=10, choices=AnswerKind.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by_panelist = models.ForeignKey(
        Panelist, verbose_name=_("answered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=255, blank=True)
    forwarded_question = models.OneToOneField(
        "qa.Question",
        verbose_name=_("sent to the Q&A queue as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dialogue_question",
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("live question")
        verbose_name_plural = _("live questions")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["session", "status", "position"], name="dlg_q_session_status_idx")]

    def __str__(self) -> str:
        return self.public_text[:60]

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_QUESTION_STATUSES


class Vote(models.Model):
    """One upvote per user, or per browser for visitors."""

    question = models.ForeignKey(LiveQuestion, on_delete=models.CASCADE, related_name="votes")
    voter_key = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "voter_key"], name="dlg_unique_vote")]

    def __str__(self) -> str:
        return f"{self.question_id} {self.voter_key}"


class EventScope(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MODERATORS = "moderators", _("Moderators")


class SessionEvent(models.Model):
    """One numbered change of a session, as sent on the socket (type, seq, data)."""

    session = models.ForeignKey(DialogueSession, on_delete=models.CASCADE, related_name="events")
    scope = models.CharField(max_length=12, choices=EventScope.choices, default=EventScope.PUBLIC)
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    # Private audit: who caused it (never sent).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "scope", "seq"]
        constraints = [models.UniqueConstraint(fields=["session", "scope", "seq"], name="dlg_unique_event_seq")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.scope}#{self.seq} {self.type}"


class Mute(models.Model):
    """A participant silenced for the rest of the session (by account or browser key)."""

    session = models.ForeignKey(DialogueSession, on_delete=models.CASCADE, related_name="mutes")
    participant_key = models.CharField(max_length=80)
    display_name = models.CharField(max_length=80, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "participant_key"], name="dlg_unique_mute")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.participant_key}"


def announcement_photo_path(instance: "Announcement", filename: str) -> str:
    now = timezone.now()
    extension = ".png" if filename.lower().endswith(".png") else ".jpg"
    return f"dialogues/{now:%Y/%m}/{secrets.token_hex(8)}{extension}"


class Announcement(models.Model):
    """A moderator's short notice in the stream, optionally with a photo."""

    session = models.ForeignKey(DialogueSession, on_delete=models.CASCADE, related_name="announcements")
    text = models.CharField(_("text"), max_length=500)
    photo = models.FileField(_("photo"), upload_to=announcement_photo_path, blank=True)
    photo_alt = models.CharField(_("photo description"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def photo_url(self) -> str | None:
        """Served by dialogues.views.announcement_photo (with its type and nosniff), not from the media root."""
        if not self.photo:
            return None
        return reverse("dialogues:photo", kwargs={"pk": self.session_id, "announcement_pk": self.pk})


class Subscription(models.Model):
    """ "Remind me": a user or an e-mail address to notify before the session starts.

    The notifications app sends the reminder (it reads these rows through
    dialogues.selectors.reminders_due) and sets `reminded_at`.
    """

    session = models.ForeignKey(DialogueSession, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(max_length=8, default="vi")
    token = models.CharField(max_length=48, default=secrets.token_urlsafe, editable=False, unique=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], condition=models.Q(user__isnull=False), name="dlg_unique_sub_user"
            ),
            models.UniqueConstraint(
                fields=["session", "email"], condition=~models.Q(email=""), name="dlg_unique_sub_email"
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""), name="dlg_sub_has_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.user_id or self.email}"
