"""Writes of the reorganisation: draft, preview, schedule, apply, cancel. Views, API, admin and the beat task
call these, nothing else.

The operation's own states follow one table (TRANSITIONS): draft → previewed → (scheduled →) applied, and
cancelled from any state before applied. Every move locks the operation row and writes a ReorganisationEvent.
Applying re-plans under the locks, so questions that arrived after the preview move too; an operation already
applied is returned unchanged (applying twice does nothing the second time).
"""

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, AgencyFormerName, AgencySuccession, Membership, User
from core.errors import TransitionNotAllowed
from qa.cache import archive_changed
from qa.models import AnswerTemplate, Question, QuestionEvent

from . import planning
from .messaging import contacts_to_tell, notify_askers_moved
from .models import Kind, Reorganisation, ReorganisationEvent, SplitRule, Status

# Maps a move's target to the agency id (NEW_AGENCY → the agency a merge has just created).
Resolve = Callable[[int], int]

# Who acts: a user from the admin or the API, or None for the demo loader and commands.
Actor = User | AnonymousUser | None

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "preview": (frozenset({Status.DRAFT, Status.PREVIEWED}), Status.PREVIEWED),
    "schedule": (frozenset({Status.PREVIEWED}), Status.SCHEDULED),
    "apply": (frozenset({Status.PREVIEWED, Status.SCHEDULED}), Status.APPLIED),
    "cancel": (frozenset({Status.DRAFT, Status.PREVIEWED, Status.SCHEDULED}), Status.CANCELLED),
}
EVENT_ACTION = "reorganised"


def _ensure_site_admin(actor: Actor) -> None:
    if actor is not None and not (actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only site administrators reorganise agencies."))


def _check_state(operation: Reorganisation, action: str) -> None:
    """TransitionNotAllowed (HTTP 409) when the operation's state does not allow `action`."""
    if operation.status not in TRANSITIONS[action][0]:
        raise TransitionNotAllowed(
            _("This operation is “%(status)s”: it cannot be changed that way now.")
            % {"status": Status(operation.status).label},
            current_state=operation.status,
        )


def _move(operation: Reorganisation, action: str, *, actor: Actor, data: dict | None = None) -> None:
    """Make one move of the table on a locked operation and record it in the audit log."""
    _check_state(operation, action)
    operation.status = TRANSITIONS[action][1]
    ReorganisationEvent.objects.create(
        operation=operation,
        action=action,
        actor=actor if isinstance(actor, User) else None,
        data=data or {},
    )


def _lock(operation: Reorganisation | int) -> Reorganisation:
    pk = operation.pk if isinstance(operation, Reorganisation) else operation
    return Reorganisation.objects.select_for_update().get(pk=pk)


def reorganisation_create(
    *,
    actor: Actor,
    kind: str,
    sources: list[Agency],
    effective_date: datetime.date,
    target: Agency | None = None,
    new_name: str = "",
    new_slug: str = "",
    new_code: str = "",
    new_kind: str = "",
    new_parent: Agency | None = None,
    rules: Sequence[tuple[Agency, list]] = (),
    title: str = "",
    legal_basis: str = "",
) -> Reorganisation:
    """Record a draft; nothing changes in the agencies until it is previewed and applied."""
    _ensure_site_admin(actor)
    if kind not in Kind.values:
        raise ValidationError({"kind": [gettext("Choose what kind of change this is.")]})
    from qa.text import nfc

    with transaction.atomic():
        operation = Reorganisation.objects.create(
            kind=kind,
            effective_date=effective_date,
            target=target,
            new_name=nfc(new_name).strip(),
            new_slug=new_slug.strip(),
            new_code=new_code.strip().upper(),
            new_kind=new_kind,
            new_parent=new_parent,
            title=nfc(title).strip(),
            legal_basis=nfc(legal_basis).strip(),
            created_by=actor if isinstance(actor, User) else None,
        )
        operation.sources.set(sources)
        for rule_target, topics in rules:
            rule = SplitRule.objects.create(operation=operation, target=rule_target)
            rule.topics.set(topics)
        ReorganisationEvent.objects.create(operation=operation, action="create", actor=operation.created_by)
    return operation


def reorganisation_preview(
    *,
    actor: Actor,
    operation: Reorganisation,
    membership_choices: dict | None = None,
    manual_choices: dict | None = None,
) -> dict:
    """Store the administrator's choices and the preview of what would move; refuse (ValidationError, nothing
    saved) when the plan cannot be applied. Returns the preview."""
    _ensure_site_admin(actor)
    with transaction.atomic():
        locked = _lock(operation)
        _check_state(locked, "preview")
        if membership_choices is not None:
            locked.membership_choices = {
                str(k): (int(v) if v not in (None, "") else None) for k, v in membership_choices.items()
            }
        if manual_choices is not None:
            locked.manual_choices = {str(k): int(v) for k, v in manual_choices.items() if v not in (None, "")}
        plan = planning.build_plan(locked)
        planning.check(plan)
        locked.preview = planning.describe(plan)
        _move(locked, "preview", actor=actor, data={"open_questions": locked.preview["open_questions"]})
        locked.save()
    operation.refresh_from_db()
    return locked.preview


def reorganisation_schedule(
    *, actor: Actor, operation: Reorganisation, today: datetime.date | None = None
) -> Reorganisation:
    """Let Celery beat apply it on its date (in Asia/Ho_Chi_Minh); the date must be after today."""
    _ensure_site_admin(actor)
    with transaction.atomic():
        locked = _lock(operation)
        _check_state(locked, "schedule")
        planning.check_date(locked, today=today or timezone.localdate(), scheduling=True)
        _move(locked, "schedule", actor=actor, data={"effective_date": locked.effective_date.isoformat()})
        locked.save()
    return locked


def reorganisation_cancel(*, actor: Actor, operation: Reorganisation) -> Reorganisation:
    _ensure_site_admin(actor)
    with transaction.atomic():
        locked = _lock(operation)
        _move(locked, "cancel", actor=actor)
        locked.save()
    return locked


def reorganisation_apply(
    *, actor: Actor, operation: Reorganisation, today: datetime.date | None = None
) -> Reorganisation:
    """Apply the operation in one transaction; a second call on an applied operation changes nothing.

    Locks the operation row, then the agencies concerned; re-plans and re-checks (refusing with nothing
    changed), moves open questions in their state with their deadlines unchanged and a public timeline event,
    moves or ends memberships as chosen, moves answer templates and upcoming dialogue sessions, records the
    succession (history and redirects) and notifies each asker once, after commit, through the outbox.
    """
    _ensure_site_admin(actor)
    with transaction.atomic():
        locked = _lock(operation)
        if locked.status == Status.APPLIED:
            return locked
        if locked.status == Status.DRAFT:
            raise TransitionNotAllowed(
                _("Preview the operation before applying it."), code="not_previewed", current_state=locked.status
            )
        _check_state(locked, "apply")
        planning.check_date(locked, today=today or timezone.localdate(), scheduling=False)
        list(Agency.objects.select_for_update().filter(pk__in=locked.sources.values("pk")))
        plan = planning.build_plan(locked)
        planning.check(plan)
        result = _execute(locked, plan)
        locked.result = result
        locked.applied_at = timezone.now()
        locked.applied_by = actor if isinstance(actor, User) else None
        _move(locked, "apply", actor=actor, data=result)
        locked.save()
        archive_changed()
    return locked


def reorganisations_apply_due(*, today: datetime.date | None = None) -> list[int]:
    """Apply the scheduled operations whose date has come (Celery beat); one failing does not stop the others
    and is recorded in its log, staying scheduled for the administrator to fix."""
    today = today or timezone.localdate()
    applied = []
    for pk in Reorganisation.objects.filter(status=Status.SCHEDULED, effective_date__lte=today).values_list(
        "pk", flat=True
    ):
        operation = Reorganisation.objects.get(pk=pk)
        try:
            reorganisation_apply(actor=None, operation=operation, today=today)
            applied.append(pk)
        except (ValidationError, TransitionNotAllowed) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error.message)]
            ReorganisationEvent.objects.create(operation=operation, action="failed", data={"errors": messages})
    return applied


# --- Applying ---------------------------------------------------------------------------------------


def _new_agency(operation: Reorganisation, sources: list[Agency]) -> Agency:
    """The agency a merge creates: its settings come from the first agency it replaces."""
    first = sources[0]
    return Agency.objects.create(
        name=operation.new_name,
        slug=operation.new_slug,
        code=operation.new_code,
        kind=operation.new_kind or first.kind,
        parent=operation.new_parent or first.parent,
        description=first.description,
        email=first.email,
        answer_deadline_days=first.answer_deadline_days,
        review_required=any(source.review_required for source in sources),
    )


def move_note(agency_name: str, language: str) -> str:
    """The public timeline line of a question moved by an operation, in the asker's language."""
    with translation.override(language):
        return gettext("Moved to %(agency)s due to the reorganisation of the state administration") % {
            "agency": agency_name
        }


def _move_questions(operation: Reorganisation, plan: planning.Plan, resolve: Resolve) -> tuple[dict, list]:
    """Move the open questions; keep status and every clock; one public event each, in the asker's language.

    Set-based, so that ten thousand questions cost a few statements: per move, unassign those whose assignee
    does not follow, insert the events with INSERT … SELECT, then one UPDATE. Returns the counts per successor
    and, per move, the contacts to tell (read before the move) with the successor's name.
    """
    names = dict(Agency.objects.filter(pk__in={resolve(m.target_id) for m in plan.moves}).values_list("pk", "name"))
    source_names = {agency.pk: agency.name for agency in plan.sources}
    counts: dict[str, int] = defaultdict(int)
    to_tell: list = []
    now = timezone.now()
    table = connection.ops.quote_name(QuestionEvent._meta.db_table)
    for move in plan.moves:
        target_id = resolve(move.target_id)
        questions = move.queryset().order_by()
        to_tell.append((contacts_to_tell(questions), names[target_id]))
        Question.objects.filter(pk__in=questions.filter(assignee__isnull=False).values("pk")).exclude(
            assignee_id__in=Membership.objects.filter(agency_id=target_id).values("user_id")
        ).update(assignee=None)
        select, params = questions.values_list("pk", "status", "language").query.sql_with_params()
        data = {
            "operation": operation.pk,
            "from_agency_id": move.source_id,
            "from_agency": source_names[move.source_id],
            "to_agency_id": target_id,
            "to_agency": names[target_id],
        }
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (question_id, action, from_status, to_status, note, internal_note, data, "  # noqa: S608 (names from the model)
                "is_public, created_at) "
                "SELECT q.pk, %s, q.status, q.status, CASE WHEN q.language = 'en' THEN %s ELSE %s END, '', %s, %s, %s "
                f"FROM ({select}) AS q",
                [
                    EVENT_ACTION,
                    move_note(names[target_id], "en"),
                    move_note(names[target_id], "vi"),
                    json.dumps(data, ensure_ascii=False),
                    True,
                    now,
                    *params,
                ],
            )
        counts[names[target_id]] += questions.update(agency_id=target_id, version=F("version") + 1, updated_at=now)
    return dict(counts), to_tell


def _move_memberships(plan: planning.Plan, resolve: Resolve) -> dict[str, int]:
    memberships = list(Membership.objects.filter(pk__in=plan.memberships))
    new = [
        Membership(user_id=m.user_id, agency_id=resolve(target_id), role=m.role)
        for m in memberships
        if (target_id := plan.memberships[m.pk]) is not None
    ]
    Membership.objects.bulk_create(new, ignore_conflicts=True)
    Membership.objects.filter(pk__in=[m.pk for m in memberships]).delete()
    return {"moved": len(new), "ended": len(memberships) - len(new)}


def _move_templates_and_sessions(operation: Reorganisation, plan: planning.Plan, resolve: Resolve) -> dict[str, int]:
    from dialogues.models import UPCOMING_STATUSES, DialogueSession

    templates = 0
    if operation.kind == Kind.SPLIT:
        for rule in operation.rules.prefetch_related("topics"):
            templates += AnswerTemplate.objects.filter(
                agency_id__in=plan.source_ids, topic__in=rule.topics.all()
            ).update(agency_id=rule.target_id)
    sessions = 0
    for source_id, target_id in plan.template_targets.items():
        templates += AnswerTemplate.objects.filter(agency_id=source_id).update(agency_id=resolve(target_id))
        sessions += DialogueSession.objects.filter(agency_id=source_id, status__in=UPCOMING_STATUSES).update(
            agency_id=resolve(target_id)
        )
    return {"answer_templates": templates, "dialogue_sessions": sessions}


def _execute(operation: Reorganisation, plan: planning.Plan) -> dict:
    """The writes of one operation (inside apply's transaction, after its checks)."""
    if operation.kind == Kind.RENAME:
        agency = plan.sources[0]
        AgencyFormerName.objects.create(
            agency=agency,
            name=agency.name,
            slug=agency.slug,
            code=agency.code,
            valid_until=operation.effective_date,
            operation_id=operation.pk,
        )
        agency.name = operation.new_name or agency.name
        agency.slug = operation.new_slug or agency.slug
        agency.code = operation.new_code or agency.code
        agency.save(update_fields=["name", "slug", "code"])
        return {"renamed": agency.pk}
    if operation.kind == Kind.MOVE:
        agency = plan.sources[0]
        old_parent = agency.parent_id
        agency.parent = operation.new_parent
        agency.save(update_fields=["parent"])
        return {"moved": agency.pk, "from_parent": old_parent, "to_parent": agency.parent_id}
    created = None
    if operation.kind == Kind.MERGE and not operation.target_id:
        created = _new_agency(operation, plan.sources)
        operation.target = created

    def resolve(agency_id: int) -> int:
        return created.pk if agency_id == planning.NEW_AGENCY and created is not None else agency_id

    memberships = _move_memberships(plan, resolve)
    counts, to_tell = _move_questions(operation, plan, resolve)
    successors = sorted(
        {resolve(move.target_id) for move in plan.moves}
        | ({operation.target_id} if operation.target_id is not None else set())
    )
    moved_along = _move_templates_and_sessions(operation, plan, resolve)
    primary_id = planning.primary_target(operation)
    primary = resolve(primary_id) if primary_id is not None else None
    # Agencies under those that end: under the successor, or (a closure without one) where the closed one was.
    Agency.objects.filter(parent_id__in=plan.source_ids).exclude(pk__in=plan.source_ids).update(
        parent_id=primary or plan.sources[0].parent_id
    )
    Agency.objects.filter(pk__in=plan.source_ids).update(is_active=False)
    AgencySuccession.objects.bulk_create(
        [
            AgencySuccession(
                predecessor_id=source_id,
                successor_id=successor_id,
                effective_date=operation.effective_date,
                operation_id=operation.pk,
            )
            for source_id in plan.source_ids
            for successor_id in successors
        ],
        ignore_conflicts=True,
    )
    notified = notify_askers_moved(operation, to_tell)
    return {
        "created_agency": created.pk if created else None,
        "questions": counts,
        "open_questions": sum(counts.values()),
        "memberships": memberships,
        **moved_along,
        "askers_notified": notified,
    }
