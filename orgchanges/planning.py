"""Turn a reorganisation into a plan (what moves where) and refuse what cannot be done.

The plan is computed from the database as it is now, both for the preview the administrator reads and again
inside the transaction that applies it (questions keep arriving between the two). `check` raises one
ValidationError that names every problem, with translated messages; nothing is written here.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.lineage import code_in_use, slug_in_use
from accounts.models import Agency, Membership
from qa.models import AnswerTemplate, Question, QuestionStatus
from qa.text import nfc

from .models import Kind, Reorganisation

# Questions not yet answered, rejected or withdrawn: they follow the work to the successor. Answered and
# published ones stay with the agency that answered them (history is not rewritten).
MOVABLE_STATUSES = [
    QuestionStatus.UNVERIFIED,
    QuestionStatus.SUBMITTED,
    QuestionStatus.ACCEPTED,
    QuestionStatus.INFORMATION_REQUESTED,
    QuestionStatus.IN_REVIEW,
    QuestionStatus.APPROVED,
]
# In membership choices and moves: "the agency this merge creates" (it has no id before the merge).
NEW_AGENCY = 0


@dataclass
class Move:
    """Open questions of `source` (all, or those on `topic_ids`, or exactly `question_ids`) go to `target`."""

    source_id: int
    target_id: int  # NEW_AGENCY for the agency a merge creates
    topic_ids: list[int] | None = None
    question_ids: list[int] | None = None

    def queryset(self) -> QuerySet[Question]:
        questions = Question.objects.filter(agency_id=self.source_id, status__in=MOVABLE_STATUSES)
        if self.topic_ids is not None:
            questions = questions.filter(topic_id__in=self.topic_ids)
        if self.question_ids is not None:
            questions = questions.filter(pk__in=self.question_ids)
        return questions


@dataclass
class Plan:
    operation: Reorganisation
    sources: list[Agency]
    moves: list[Move] = field(default_factory=list)
    # membership id → agency id (NEW_AGENCY for the new one) or None (the role ends).
    memberships: dict[int, int | None] = field(default_factory=dict)
    template_targets: dict[int, int] = field(default_factory=dict)  # source id → agency id (split: per topic)
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def source_ids(self) -> list[int]:
        return [agency.pk for agency in self.sources]

    def error(self, field_name: str, message: str) -> None:
        self.errors[field_name].append(message)


def primary_target(operation: Reorganisation) -> int | None:
    if operation.kind == Kind.MERGE:
        return operation.target_id if operation.target_id else NEW_AGENCY
    if operation.kind == Kind.CLOSE:
        return operation.target_id
    if operation.kind == Kind.SPLIT:
        first = operation.rules.first()
        return first.target_id if first else None
    return None


def _open_counts(source_ids: list[int]) -> dict[int, int]:
    rows = (
        Question.objects.filter(agency_id__in=source_ids, status__in=MOVABLE_STATUSES)
        .values("agency_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["agency_id"]: row["n"] for row in rows}


def _check_new_agency(plan: Plan, operation: Reorganisation, *, exclude_agency_id: int | None = None) -> None:
    """The name, address and code of a new agency (merge) or of a renamed one: present and not taken."""
    required = exclude_agency_id is None
    if required and not nfc(operation.new_name).strip():
        plan.error("new_name", _("Enter the name of the new agency."))
    if required and not operation.new_slug:
        plan.error("new_slug", _("Enter the address (slug) of the new agency."))
    if required and not operation.new_code:
        plan.error("new_code", _("Enter the short code of the new agency."))
    if operation.new_code and code_in_use(operation.new_code, exclude_agency_id=exclude_agency_id):
        plan.error(
            "new_code",
            _(
                "The code %(code)s is already used by another agency, or was used before: "
                "reference codes must never repeat."
            )
            % {"code": operation.new_code},
        )
    if operation.new_slug and slug_in_use(operation.new_slug, exclude_agency_id=exclude_agency_id):
        plan.error("new_slug", _("The address %(slug)s is already used by an agency.") % {"slug": operation.new_slug})


def _descendant_ids(agency: Agency) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found, stack = set(), [agency.pk]
    while stack:
        for child in children[stack.pop()]:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _plan_memberships(plan: Plan, default: int | None, allowed: set[int | None]) -> None:
    chosen = plan.operation.membership_choices or {}
    for membership_id in Membership.objects.filter(agency_id__in=plan.source_ids).values_list("pk", flat=True):
        choice = chosen.get(str(membership_id), default)
        if choice is not None:
            choice = int(choice)
        if choice not in allowed:
            plan.error("membership_choices", _("Choose one of the successor agencies for each membership, or end it."))
            choice = default
        plan.memberships[membership_id] = choice


def _plan_merge_or_close(plan: Plan, counts: dict[int, int]) -> None:
    operation = plan.operation
    target = primary_target(operation)
    if operation.kind == Kind.MERGE:
        if operation.target_id is None and not (operation.new_name or operation.new_slug or operation.new_code):
            plan.error(
                "target",
                _(
                    "A merge needs a successor: choose an existing agency or enter the new agency's name, "
                    "address and code."
                ),
            )
            return
        if operation.target_id is None:
            _check_new_agency(plan, operation)
    elif target is None:
        for agency in plan.sources:
            if counts.get(agency.pk):
                plan.error(
                    "target",
                    ngettext(
                        "“%(agency)s” still has %(count)d open question: choose the agency that takes it over before "
                        "closing it.",
                        "“%(agency)s” still has %(count)d open questions: choose the agency that takes them over "
                        "before closing it.",
                        counts[agency.pk],
                    )
                    % {"agency": agency.name, "count": counts[agency.pk]},
                )
    if operation.target_id is not None:
        if operation.target_id in plan.source_ids:
            plan.error("target", _("The successor cannot be one of the agencies it replaces."))
        elif (successor := operation.target) is not None and not successor.is_active:
            plan.error("target", _("The successor “%(agency)s” is not active.") % {"agency": successor.name})
    if target is not None:
        plan.moves = [Move(source.pk, target) for source in plan.sources]
        plan.template_targets = {source.pk: target for source in plan.sources}
    _plan_memberships(plan, target, {target, None})


def _plan_split(plan: Plan, counts: dict[int, int]) -> None:
    operation = plan.operation
    if len(plan.sources) != 1:
        plan.error("sources", _("Split one agency at a time."))
        return
    source = plan.sources[0]
    rules = list(operation.rules.select_related("target").prefetch_related("topics"))
    if not rules:
        plan.error("rules", _("Add at least one rule: which topics go to which agency."))
        return
    topic_owner: dict[int, tuple[str, str]] = {}
    targets: set[int] = set()
    for rule in rules:
        targets.add(rule.target_id)
        if rule.target_id == source.pk:
            plan.error("rules", _("A rule cannot send questions back to the agency being split."))
        elif not rule.target.is_active:
            plan.error("rules", _("The successor “%(agency)s” is not active.") % {"agency": rule.target.name})
        for topic in rule.topics.all():
            if topic.pk in topic_owner and topic_owner[topic.pk][0] != rule.target.name:
                plan.error(
                    "rules",
                    _(
                        "The topic “%(topic)s” is in two rules (%(first)s and %(second)s): "
                        "each topic goes to one agency."
                    )
                    % {"topic": topic.name, "first": topic_owner[topic.pk][0], "second": rule.target.name},
                )
            topic_owner[topic.pk] = (rule.target.name, str(rule.target_id))
        plan.moves.append(Move(source.pk, rule.target_id, topic_ids=[t.pk for t in rule.topics.all()]))
    covered = set(topic_owner)
    manual = {int(q): int(a) for q, a in (operation.manual_choices or {}).items() if a}
    active_ids = set(Agency.objects.filter(pk__in=set(manual.values()), is_active=True).values_list("pk", flat=True))
    if set(manual.values()) - active_ids or source.pk in manual.values():
        plan.error("manual_choices", _("Choose an active agency, other than the one being split, for each question."))
    uncovered = list(
        Question.objects.filter(agency_id=source.pk, status__in=MOVABLE_STATUSES)
        .exclude(topic_id__in=covered)
        .values_list("pk", flat=True)
    )
    unplaced = [pk for pk in uncovered if pk not in manual]
    if unplaced:
        plan.error(
            "manual_choices",
            ngettext(
                "%(count)d open question is on a topic no rule covers: choose its agency in the preview.",
                "%(count)d open questions are on topics no rule covers: choose their agency in the preview.",
                len(unplaced),
            )
            % {"count": len(unplaced)},
        )
    by_target: dict[int, list[int]] = defaultdict(list)
    for pk in uncovered:
        if pk in manual:
            by_target[manual[pk]].append(pk)
    plan.moves += [Move(source.pk, target, question_ids=ids) for target, ids in by_target.items()]
    primary = rules[0].target_id
    plan.template_targets = {source.pk: primary}
    _plan_memberships(plan, primary, targets | {None})


def _plan_rename(plan: Plan) -> None:
    operation = plan.operation
    if len(plan.sources) != 1:
        plan.error("sources", _("Rename one agency at a time."))
        return
    if not (operation.new_name or operation.new_slug or operation.new_code):
        plan.error("new_name", _("Enter the new name, address or code."))
    _check_new_agency(plan, operation, exclude_agency_id=plan.sources[0].pk)


def _plan_move(plan: Plan) -> None:
    operation = plan.operation
    if len(plan.sources) != 1:
        plan.error("sources", _("Move one agency at a time."))
        return
    agency = plan.sources[0]
    parent = operation.new_parent
    if parent is None:
        plan.error("new_parent", _("Choose the new parent agency."))
    elif parent.pk == agency.pk or parent.pk in _descendant_ids(agency):
        plan.error(
            "new_parent",
            _("“%(parent)s” is under “%(agency)s”: this move would make a cycle in the agency tree.")
            % {"parent": parent.name, "agency": agency.name},
        )
    elif not parent.is_active:
        plan.error("new_parent", _("The agency “%(agency)s” is not active.") % {"agency": parent.name})


def build_plan(operation: Reorganisation) -> Plan:
    """What applying `operation` now would do, and every reason it cannot (in plan.errors)."""
    sources = list(operation.sources.order_by("name"))
    plan = Plan(operation=operation, sources=sources)
    if not sources:
        plan.error("sources", _("Choose the agencies concerned."))
        return plan
    for agency in sources:
        if not agency.is_active:
            plan.error("sources", _("The agency “%(agency)s” is not active.") % {"agency": agency.name})
    counts = _open_counts(plan.source_ids)
    if operation.kind in (Kind.MERGE, Kind.CLOSE):
        _plan_merge_or_close(plan, counts)
    elif operation.kind == Kind.SPLIT:
        _plan_split(plan, counts)
    elif operation.kind == Kind.RENAME:
        _plan_rename(plan)
    elif operation.kind == Kind.MOVE:
        _plan_move(plan)
    return plan


def check(plan: Plan) -> None:
    """Raise one ValidationError naming every problem of the plan (nothing is changed)."""
    if plan.errors:
        raise ValidationError(dict(plan.errors))


def check_date(operation: Reorganisation, *, today: datetime.date, scheduling: bool) -> None:
    """A scheduled change takes effect later; one applied now has taken effect already (or today)."""
    if scheduling and operation.effective_date <= today:
        raise ValidationError(
            {"effective_date": [_("A scheduled change needs a date after today; apply it now instead.")]}
        )
    if not scheduling and operation.effective_date > today:
        raise ValidationError(
            {
                "effective_date": [
                    _("This change takes effect on %(date)s: schedule it, or change its date.")
                    % {"date": operation.effective_date.strftime("%d/%m/%Y")}
                ]
            }
        )


def describe(plan: Plan) -> dict:
    """The preview the administrator reads (and the API returns): counts per source, target and state."""
    names = dict(
        Agency.objects.values_list("pk", "name").filter(pk__in={*plan.source_ids, *(m.target_id for m in plan.moves)})
    )
    new_name = plan.operation.new_name
    moves = []
    for move in plan.moves:
        by_status = Counter(move.queryset().values_list("status", flat=True))
        moves.append(
            {
                "from_id": move.source_id,
                "from": names.get(move.source_id, ""),
                "to_id": move.target_id,
                "to": new_name if move.target_id == NEW_AGENCY else names.get(move.target_id, ""),
                "count": sum(by_status.values()),
                "by_status": dict(sorted(by_status.items())),
            }
        )
    memberships = []
    for membership in Membership.objects.filter(pk__in=plan.memberships).select_related("user", "agency"):
        memberships.append(
            {
                "id": membership.pk,
                "user": str(membership.user),
                "agency": membership.agency.name,
                "role": membership.role,
                "to_id": plan.memberships[membership.pk],
            }
        )
    memberships.sort(key=lambda row: (row["agency"], row["user"], row["role"]))
    templates = AnswerTemplate.objects.filter(agency_id__in=plan.source_ids).count() if plan.template_targets else 0
    return {
        "moves": moves,
        "open_questions": sum(move["count"] for move in moves),
        "memberships": memberships,
        "answer_templates": templates,
        "dialogue_sessions": _session_count(plan),
        "errors": {name: list(messages) for name, messages in plan.errors.items()},
    }


def _session_count(plan: Plan) -> int:
    if not plan.template_targets:
        return 0
    from dialogues.models import UPCOMING_STATUSES, DialogueSession

    return DialogueSession.objects.filter(agency_id__in=plan.source_ids, status__in=UPCOMING_STATUSES).count()
