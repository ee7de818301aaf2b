"""Admin: the outbox for site administrators, failed rows first, with a re-send action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import EmailOptOut, Notification, NotificationPreference, Status


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "channel", "recipient_address", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["email", "phone", "recipient__email", "idempotency_key", "kind"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = [
        "kind",
        "channel",
        "recipient",
        "email",
        "language",
        "context",
        "status",
        "attempts",
        "last_error",
        "idempotency_key",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "claimed_by",
        "sent_at",
        "read_at",
        "digest",
    ]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "kind",
                    "channel",
                    "recipient",
                    "email",
                    "phone",
                    "language",
                    "status",
                    "attempts",
                    "last_error",
                )
            },
        ),
        (_("Timing"), {"fields": ("created_at", "next_attempt_at", "claimed_at", "claimed_by", "sent_at", "read_at")}),
        (_("Data"), {"fields": ("idempotency_key", "context", "digest")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-created_at")

    @admin.display(description=_("recipient"), ordering="recipient__email")
    def recipient_address(self, obj: Notification) -> str:
        return obj.address

    def has_add_permission(self, request) -> bool:
        return False  # rows come from notify(), with their idempotency key

    @admin.action(description=_("Re-send the selected notifications (failed or pending ones)"))
    def resend(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        skipped = queryset.exclude(status__in=[Status.FAILED, Status.PENDING]).count()
        count = services.notifications_resend(ids=ids)
        self.message_user(
            request,
            ngettext("%(count)d notification queued again.", "%(count)d notifications queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d notification was skipped: only failed or pending ones are re-sent.",
                    "%(count)d notifications were skipped: only failed or pending ones are re-sent.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email_enabled", "in_app_enabled", "email_digest", "updated_at"]
    list_filter = ["kind", "email_enabled", "in_app_enabled", "email_digest"]
    search_fields = ["user__email", "kind"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["email"]
