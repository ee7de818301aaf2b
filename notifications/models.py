"""The notification outbox, per-user preferences and e-mail opt-outs.

A Notification row is one message to one recipient over one channel. Callers
write rows inside their own transaction (services.notify); delivery tasks pick
them up after commit and the sweep picks up whatever they missed, so a broker
outage or a killed worker delays a message but never loses or duplicates it.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("On the site")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # An e-mail the recipient wants in their daily digest rather than at once.
    HELD = "held", _("Held for the digest")


class Notification(models.Model):
    """One message to one recipient over one channel (the outbox row).

    Registered users are referenced by `recipient`; guests (askers without an
    account) by `email` and `language`, stored here because nothing else knows them.
    """

    kind = models.CharField(_("kind"), max_length=80, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    # A guest's mobile number (+84…) for SMS rows; registered users' rows use the account's number.
    phone = models.CharField(_("phone number"), max_length=16, blank=True, default="")
    language = models.CharField(_("language"), max_length=8, default="vi")
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the row may next be handed to a worker: now, or later after a failed attempt (back-off).
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # Set when a worker claims the row; `lease` tells that worker's claim apart from a later one.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    lease = models.UUIDField(null=True, blank=True, editable=False)
    # The claiming process (notifications.claimants: host/boot/ns/pid/start), so a dead worker's claim is
    # released as soon as a worker on that host notices, not after the claim timeout.
    claimed_by = models.CharField(_("claimed by"), max_length=200, blank=True, default="", editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Held e-mails point at the digest that carried them.
    digest = models.ForeignKey(
        "self", verbose_name=_("digest"), null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: pending rows due for a (re)try, stale claims.
            models.Index(fields=["status", "next_attempt_at"], name="ntf_status_next_idx"),
            # The in-app list and unread count of one user.
            models.Index(fields=["recipient", "channel", "read_at"], name="ntf_inbox_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(email="") | ~models.Q(phone=""),
                name="ntf_has_recipient_or_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.address} ({self.get_channel_display()}, {self.get_status_display()})"

    @property
    def address(self) -> str:
        """Where the message goes: the account's current address or number, or the guest's."""
        if self.channel == Channel.SMS:
            return self.phone  # users' rows too: the confirmed number, copied when the row was written
        if self.recipient_id is not None:
            return self.recipient.email
        return self.email


class NotificationPreference(models.Model):
    """A user's choice for one kind; without a row the kind's defaults apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=80)
    email_enabled = models.BooleanField(_("by e-mail"), default=True)
    in_app_enabled = models.BooleanField(_("on the site"), default=True)
    email_digest = models.BooleanField(_("once a day, in a digest"), default=False)
    # Only offered for kinds with the SMS channel, to users with a confirmed SmsNumber.
    sms_enabled = models.BooleanField(_("by SMS"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="ntf_unique_preference")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"


class EmailOptOut(models.Model):
    """A guest address that unsubscribed from one kind (users use NotificationPreference)."""

    email = models.EmailField(_("e-mail address"))
    kind = models.CharField(_("kind"), max_length=80)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail opt-out")
        verbose_name_plural = _("e-mail opt-outs")
        constraints = [models.UniqueConstraint(fields=["email", "kind"], name="ntf_unique_optout")]

    def __str__(self) -> str:
        return f"{self.email} · {self.kind}"


class SmsNumber(models.Model):
    """A user's mobile number for SMS notifications, usable once confirmed with a code sent to it.

    Only an HMAC of the pending code is kept (see services.sms_number_request).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="sms_number"
    )
    phone = models.CharField(_("phone number"), max_length=16)
    verified_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SMS number")
        verbose_name_plural = _("SMS numbers")

    def __str__(self) -> str:
        return f"{self.user} · {self.phone[:-6]}***{self.phone[-3:]}"
