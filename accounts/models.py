"""Users, agencies and per-agency memberships."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address.

    `is_staff` only opens the Django admin (site administrators); agency work is
    granted through Membership, per agency.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email_verified = models.BooleanField(_("e-mail verified"), default=False)
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES, default="vi")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("site administrator"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        # Log-in looks addresses up exactly, so every way of creating a user (admin forms included) stores lower case.
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).strip().lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else self.email


class Agency(models.Model):
    """A state body that receives questions; agencies form a tree."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("People's committee")
        DEPARTMENT = "department", _("Department")
        DISTRICT = "district", _("District")
        # Since 1 July 2025 local government has two levels: the province and the commune (xã, phường, đặc khu).
        COMMUNE = "commune", _("Commune, ward or special zone")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    code = models.CharField(
        _("short code"),
        max_length=20,
        unique=True,
        help_text=_("Used in reference codes, e.g. HP-STNMT."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    answer_deadline_days = models.PositiveSmallIntegerField(_("default answer deadline (working days)"), default=15)
    review_required = models.BooleanField(_("answers need review"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The kinds by a module-level name, so settings can name them (drf-spectacular's ENUM_NAME_OVERRIDES).
AgencyKind = Agency.Kind


class Membership(models.Model):
    """A role held by a user in one agency; one person may hold several."""

    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Moderator")
        ANSWERER = "answerer", _("Answerer")
        REVIEWER = "reviewer", _("Reviewer")
        ADMIN = "admin", _("Agency administrator")

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="unique_membership_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency} · {self.get_role_display()}"


class AgencySuccession(models.Model):
    """An agency that took over (part of) another's work on a date: merges, splits, closures.

    Kept for history: the archive filter by an agency includes its predecessors' answers, and an old
    agency's pages redirect to its successor. Written by orgchanges' operations only.
    """

    predecessor = models.ForeignKey(
        Agency, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successions"
    )
    successor = models.ForeignKey(
        Agency, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="predecessions"
    )
    effective_date = models.DateField(_("effective date"))
    # Id of the orgchanges operation that recorded it (no foreign key: accounts uses no other app).
    operation_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("agency succession")
        verbose_name_plural = _("agency successions")
        constraints = [models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_agency_succession")]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id} ({self.effective_date})"


class AgencyFormerName(models.Model):
    """A name, slug and code an agency used until a date (a rename): history and old links keep working."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=80, db_index=True)
    code = models.CharField(_("short code"), max_length=20, db_index=True)
    valid_until = models.DateField(_("used until"), help_text=_("The first day of the new name."))
    operation_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("former agency name")
        verbose_name_plural = _("former agency names")
        ordering = ["valid_until", "id"]

    def __str__(self) -> str:
        return f"{self.name} (→ {self.valid_until})"
