"""The site administrator's screens: draft an operation (admin form), preview it with the choices it needs,
then apply it now or schedule it. Thin: every step is an orgchanges.services call."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Agency, Membership
from core.errors import DomainError
from qa.models import Question

from . import planning, services
from .imports import units_import
from .models import INPUT_FIELDS, AdministrativeUnit, Reorganisation, ReorganisationEvent, SplitRule, Status


class SplitRuleInline(admin.TabularInline):
    model = SplitRule
    extra = 2
    filter_horizontal = ["topics"]
    autocomplete_fields = ["target"]


class EventInline(admin.TabularInline):
    model = ReorganisationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "data", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reorganisation)
class ReorganisationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "effective_date", "status", "applied_at"]
    list_filter = ["kind", "status"]
    filter_horizontal = ["sources"]
    autocomplete_fields = ["target", "new_parent"]
    inlines = [SplitRuleInline, EventInline]
    fields = INPUT_FIELDS
    change_form_template = "admin/orgchanges/reorganisation/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        # Once applied (or cancelled) an operation is history: nothing in it changes any more.
        if obj is not None and obj.status in (Status.APPLIED, Status.CANCELLED, Status.SCHEDULED):
            return self.fields
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status in (Status.DRAFT, Status.CANCELLED)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif obj.status == Status.PREVIEWED:
            obj.status = Status.DRAFT  # an edited operation must be previewed again
        super().save_model(request, obj, form, change)
        ReorganisationEvent.objects.create(operation=obj, action="edit" if change else "create", actor=request.user)

    def get_urls(self):
        own = [
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="orgchanges_preview"),
            path("<int:pk>/step/<str:step>/", self.admin_site.admin_view(self.step_view), name="orgchanges_step"),
        ]
        return own + super().get_urls()

    def preview_view(self, request, pk: int):
        """GET: what would move, and the choices to make; POST: save the choices and preview (or say why not)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        operation = get_object_or_404(Reorganisation, pk=pk)
        if request.method == "POST":
            memberships = {
                key.removeprefix("membership-"): value
                for key, value in request.POST.items()
                if key.startswith("membership-")
            }
            manual = {
                key.removeprefix("question-"): value
                for key, value in request.POST.items()
                if key.startswith("question-")
            }
            try:
                services.reorganisation_preview(
                    actor=request.user, operation=operation, membership_choices=memberships, manual_choices=manual
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Preview ready. Check it, then apply or schedule the operation."))
            return redirect("admin:orgchanges_preview", pk=pk)
        plan = planning.build_plan(operation)
        summary = planning.describe(plan)
        targets = _target_choices(operation, plan)
        membership_rows = [{**row, "choice": plan.memberships.get(row["id"])} for row in summary["memberships"]]
        unplaced = []
        if operation.kind == "split":
            covered = {topic for rule in operation.rules.all() for topic in rule.topics.values_list("pk", flat=True)}
            unplaced = list(
                Question.objects.filter(agency_id__in=plan.source_ids, status__in=planning.MOVABLE_STATUSES)
                .exclude(topic_id__in=covered)
                .select_related("topic")
                .order_by("reference")[:500]
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(operation)s") % {"operation": operation},
            "operation": operation,
            "opts": self.model._meta,
            "summary": summary,
            "targets": targets,
            "membership_rows": membership_rows,
            "unplaced": unplaced,
            "manual": {int(k): v for k, v in (operation.manual_choices or {}).items()},
            "role_labels": dict(Membership.Role.choices),
            "can_apply": operation.status in (Status.PREVIEWED, Status.SCHEDULED),
        }
        return TemplateResponse(request, "admin/orgchanges/reorganisation/preview.html", context)

    def step_view(self, request, pk: int, step: str):
        """POST only: apply now, schedule or cancel."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        operation = get_object_or_404(Reorganisation, pk=pk)
        actions = {
            "apply": (services.reorganisation_apply, _("The operation was applied.")),
            "schedule": (services.reorganisation_schedule, _("The operation is scheduled for its date.")),
            "cancel": (services.reorganisation_cancel, _("The operation was cancelled.")),
        }
        if step not in actions:
            raise PermissionDenied
        service, done = actions[step]
        try:
            service(actor=request.user, operation=operation)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, done)
        return redirect(reverse("admin:orgchanges_preview", kwargs={"pk": pk}))


def _target_choices(operation: Reorganisation, plan: planning.Plan) -> list[tuple[int, str]]:
    """The agencies a membership or an unplaced question may go to in this operation."""
    choices: list[tuple[int, str]] = []
    if operation.kind == "merge" and operation.target_id is None:
        choices.append((planning.NEW_AGENCY, operation.new_name or _("the new agency")))
    ids = {move.target_id for move in plan.moves if move.target_id} | ({operation.target_id} - {None})
    ids |= set(operation.rules.values_list("target_id", flat=True))
    if operation.kind == "split":
        ids |= set(Agency.objects.filter(is_active=True).exclude(pk__in=plan.source_ids).values_list("pk", flat=True))
    choices += list(Agency.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))
    return choices


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit_type", "province", "valid_from", "valid_to", "successor"]
    list_filter = ["unit_type", "province"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["successor"]
    change_list_template = "admin/orgchanges/administrativeunit/change_list.html"

    def get_urls(self):
        own = [path("import/", self.admin_site.admin_view(self.import_view), name="orgchanges_units_import")]
        return own + super().get_urls()

    def import_view(self, request):
        """Upload the official list as CSV: code, name, type, province, valid from, valid to[, merged into]."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and request.FILES.get("file"):
            try:
                counts = units_import(data=request.FILES["file"].read())
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("%(created)d units added, %(updated)d updated.") % counts,
                )
                return redirect("admin:orgchanges_administrativeunit_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext_lazy("Import administrative units"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/orgchanges/administrativeunit/import.html", context)
