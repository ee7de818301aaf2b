from django.contrib import admin

from .models import AnswerTemplate, CalendarDay, Question, QuestionEvent, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "is_active"]
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ["name"]


class QuestionEventInline(admin.TabularInline):
    model = QuestionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "note", "internal_note", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Read-mostly: state changes go through the staff panel's services, never through admin edits."""

    list_display = ["reference", "public_title", "agency", "topic", "status", "created_at"]
    list_filter = ["status", "agency", "topic", "channel"]
    search_fields = ["reference", "title", "public_title"]
    list_select_related = ["agency", "topic"]
    readonly_fields = [f.name for f in Question._meta.fields]
    inlines = [QuestionEventInline]

    def has_add_permission(self, request):
        return False


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "topic"]
    list_filter = ["agency", "topic"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
