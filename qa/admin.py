from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AnswerTemplate, CalendarDay, PersonalDataAccess, Question, QuestionEvent, RoutingModel, Topic


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the application only: the admin shows them and never adds, edits or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    """The access log, read-only: rows are written by the staff panel and API, never edited."""

    list_display = ["created_at", "user", "question", "agency", "surface"]
    list_filter = ["agency", "surface"]
    search_fields = ["question__reference", "user__email"]
    list_select_related = ["user", "question", "agency"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "user", "question", "agency", "surface"]


@admin.register(RoutingModel)
class RoutingModelAdmin(ReadOnlyAdmin):
    """Trained routing models, read-only: version, date, size of the history, held-out accuracy.

    The action queues a retrain (qa.train_routing); the newest row is the one in use.
    """

    list_display = [
        "id",
        "approach",
        "trained_at",
        "questions",
        "held_out",
        "agency_top1",
        "agency_top3",
        "topic_top1",
        "seconds",
    ]
    readonly_fields = [*list_display[1:], "comparison"]
    exclude = ["weights"]
    actions = ["retrain"]

    @admin.action(description=_("Retrain the routing suggestion now"))
    def retrain(self, request, queryset):
        from .tasks import train_routing

        train_routing.delay()
        self.message_user(request, _("Retraining queued: the new model appears here when it is done."))
