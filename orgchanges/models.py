"""A reorganisation of agencies as one operation: drafted, previewed, then applied (now or on its date).

The operation holds what the site administrator chose (which agencies, into which, the rules of a split, what
happens to each membership); orgchanges.planning turns it into a plan (what moves where), and
orgchanges.services applies the plan in one transaction and records every step in ReorganisationEvent.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from qa.models import Topic


class Kind(models.TextChoices):
    MERGE = "merge", _("Merge agencies")
    SPLIT = "split", _("Split an agency")
    RENAME = "rename", _("Rename an agency")
    MOVE = "move", _("Move under another parent")
    CLOSE = "close", _("Close an agency")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PREVIEWED = "previewed", _("Previewed")
    SCHEDULED = "scheduled", _("Scheduled")
    APPLIED = "applied", _("Applied")
    CANCELLED = "cancelled", _("Cancelled")


class Reorganisation(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=255, blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=255, blank=True, help_text=_("The decision or resolution, e.g. its number.")
    )
    effective_date = models.DateField(_("effective date"))
    sources = models.ManyToManyField(Agency, verbose_name=_("agencies concerned"), related_name="+")
    target = models.ForeignKey(
        Agency,
        verbose_name=_("successor agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Merge into an existing agency, or the agency that takes over a closed one's questions."),
    )
    # A merge into a new agency, or a rename: the new agency's name, address and code.
    new_name = models.CharField(_("new name"), max_length=255, blank=True)
    new_slug = models.SlugField(_("new slug"), max_length=80, blank=True)
    new_code = models.CharField(_("new short code"), max_length=20, blank=True)
    new_kind = models.CharField(_("kind of the new agency"), max_length=20, choices=Agency.Kind.choices, blank=True)
    new_parent = models.ForeignKey(
        Agency, verbose_name=_("new parent agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The administrator's choices in the preview: {membership id: agency id, or null to end it} and, for a
    # split, {question id: agency id} for open questions the topic rules do not place.
    membership_choices = models.JSONField(default=dict, blank=True)
    manual_choices = models.JSONField(default=dict, blank=True)
    preview = models.JSONField(default=dict, blank=True, editable=False)
    result = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("reorganisation")
        verbose_name_plural = _("reorganisations")
        ordering = ["-effective_date", "-id"]
        indexes = [models.Index(fields=["status", "effective_date"], name="orgch_status_date_idx")]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} ({self.effective_date:%d/%m/%Y})"


# What the administrator fills in (admin form, API input): the rest is the operation's own record.
INPUT_FIELDS = [
    "kind",
    "title",
    "legal_basis",
    "effective_date",
    "sources",
    "target",
    "new_name",
    "new_slug",
    "new_code",
    "new_kind",
    "new_parent",
]


class SplitRule(models.Model):
    """In a split: open questions on these topics go to this agency."""

    operation = models.ForeignKey(Reorganisation, on_delete=models.CASCADE, related_name="rules")
    target = models.ForeignKey(Agency, verbose_name=_("to agency"), on_delete=models.PROTECT, related_name="+")
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="+")

    class Meta:
        verbose_name = _("split rule")
        verbose_name_plural = _("split rules")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.target)


class ReorganisationEvent(models.Model):
    """The audit log of an operation: who did what to it, when, with what counts."""

    operation = models.ForeignKey(Reorganisation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.operation_id} {self.action}"


class UnitType(models.TextChoices):
    WARD = "phuong", _("Ward (phường)")
    COMMUNE = "xa", _("Commune (xã)")
    SPECIAL_ZONE = "dac_khu", _("Special zone (đặc khu)")


class AdministrativeUnit(models.Model):
    """A commune-level unit (xã, phường, đặc khu), imported from the official list; mergers end a unit's
    validity and point it to its successor, so old addresses still resolve."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=120)
    unit_type = models.CharField(_("type"), max_length=10, choices=UnitType.choices)
    province = models.CharField(_("province"), max_length=120)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["province", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.province}"
