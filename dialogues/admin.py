"""Admin for site administrators: scheduling and settings. Live moderation happens in the console,
through the services, so status changes and events are never made by editing rows here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Announcement, DialogueSession, LiveQuestion, Mute, Panelist, SessionStatusChange, Subscription


class PanelistInline(admin.TabularInline):
    model = Panelist
    extra = 1
    autocomplete_fields = ["user"]


class StatusChangeInline(admin.TabularInline):
    model = SessionStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "note", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DialogueSession)
class DialogueSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "scheduled_start", "status", "questions_open"]
    list_filter = ["status", "agency"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["agency", "topic"]
    date_hierarchy = "scheduled_start"
    # Status and the ask box change only through the console (services write the events and the audit).
    readonly_fields = ["status", "questions_open", "started_at", "ended_at", "transcript_published_at", "last_seq"]
    inlines = [PanelistInline, StatusChangeInline]
    fieldsets = (
        (None, {"fields": ("agency", "title", "description", "topic", "scheduled_start", "scheduled_end")}),
        (
            _("Settings"),
            {"fields": ("allow_questions_before_start", "allow_guest_questions", "question_max_length", "video_url")},
        ),
        (_("State"), {"fields": readonly_fields}),
    )


@admin.register(LiveQuestion)
class LiveQuestionAdmin(admin.ModelAdmin):
    list_display = ["public_text", "session", "status", "vote_count", "created_at"]
    list_filter = ["status"]
    search_fields = ["text", "public_text"]
    raw_id_fields = ["session", "asker", "answered_by", "answered_by_panelist", "forwarded_question"]
    readonly_fields = ["status", "vote_count", "asker_key", "created_at", "approved_at", "answered_at", "forwarded_at"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["text", "session", "created_at"]
    raw_id_fields = ["session", "created_by"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["session", "user", "email", "reminded_at", "created_at"]
    raw_id_fields = ["session", "user"]
    search_fields = ["email"]


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ["session", "display_name", "reason", "created_at"]
    raw_id_fields = ["session", "created_by"]
