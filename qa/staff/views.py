"""The officials' panel (/staff/): queue, question page, actions, answer editor, registration, agency admin.

Thin views: they parse forms, call qa.services / accounts.agency_services and
read through qa.staff.selectors. Permissions are the services' and selectors'
(per agency, per object); the views only hide what would be refused anyway.

Responses of a POST follow one rule: success redirects (303) back to the page
with a message; bad input re-renders the page with the typed text and the
errors (400); a move that the current state no longer allows, or a change made
on an old version, re-renders the CURRENT page with a message and the typed
text kept (409); a role that may not act gets 403.
"""

import datetime
from dataclasses import dataclass
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import agency_selectors, agency_services
from accounts import permissions as account_permissions
from accounts.models import Agency, Membership
from core.dates import format_date
from core.errors import PersonalDataFound, TransitionNotAllowed
from notifications.services import notifications_read_about

from .. import deadlines, personal_data, places, selectors, services, workflow
from ..deadlines import DeadlineClock
from ..files import download_name
from ..models import AnswerTemplate, Attachment, Channel, PersonalDataAccess, QuestionStatus, RejectionReason
from ..permissions import STAFF_ACTIONS, can_manage_templates
from ..routing import suggest_for_form
from ..sanitize import html_to_text
from ..services.answers import StaleAnswer
from . import duplicates
from . import forms as staff_forms
from .selectors import (
    ALL_TAB,
    TAB_LABELS,
    TABS,
    StaffQuestion,
    agency_answer_templates,
    answer_templates_for,
    assignable_users,
    personal_data_accesses,
    searches_contact,
    staff_attachment,
    staff_question,
    staff_queue,
    staff_queue_counts,
    staff_queue_page,
)

PAGE_SIZE = 25
MAX_PAGE = 1_000_000  # a number past any queue's end: its page is simply empty, and OFFSET stays a small integer
S = QuestionStatus
SURFACE_PAGE = PersonalDataAccess.Surface.STAFF_PAGE
REJECTABLE = workflow.TRANSITIONS["reject"].sources
MODERATING_ROLES = workflow.TRANSITIONS["reject"].roles
REGISTERING_ROLES = workflow.TRANSITIONS["register"].roles


def _redirect(url: str) -> HttpResponseRedirect:
    """303 See Other: after a POST the browser GETs the page (no "resend form?" on reload)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def staff_required(view):
    """Logged in (else the log-in page) and holding a role in at least one agency (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not account_permissions.is_agency_staff(request.user):
            raise PermissionDenied(_("The staff panel is for agency staff."))
        return view(request, *args, **kwargs)

    return wrapped


def _agency_context(request: HttpRequest, agency: Agency) -> dict:
    return {
        **_panel_context(request, "agencies"),
        "agency": agency,
        "is_agency_admin": account_permissions.is_agency_admin(request.user, agency),
    }


def _panel_context(request: HttpRequest, section: str) -> dict:
    """What the panel's sub-navigation needs (from the roles cached on the user: no query)."""
    user = request.user
    return {
        "panel_section": section,
        "can_register_any": bool(account_permissions.agency_ids_for(user, REGISTERING_ROLES)),
        "manages_any": bool(
            account_permissions.agency_ids_for(user, {Membership.Role.ADMIN, Membership.Role.MODERATOR})
        ),
    }


def _service_errors(form, exc: ValidationError) -> None:
    form.add_service_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})


# --- The queue ----------------------------------------------------------------------------------


@dataclass
class QueueRow:
    """One row of the queue table, with what the template would otherwise compute per row (the page's main cost).

    Links come from one reverse() per page, dates are formatted once per distinct date, and the
    status label and ticked state are plain values: no tag, filter or include runs per row.
    """

    question: object
    deadline_state: str | None
    selectable: bool
    url: str = ""
    checked: bool = False
    status_label: str = ""
    deadline_text: str = ""
    created_text: str = ""
    created_iso: str = ""
    deadline_badge: str = ""
    select_label: str = ""


class _RowFormatter:
    """Builds QueueRows for one page: the question URL pattern and each date's text are computed once.

    Kept in the view, not in qa.search: it is a rendering technique, not a query one. Why
    (bench/results/2026-11-30-2101.md, row 19: the queue page p95 40.5 ms at 100,000 questions;
    docs/performance.md, "Staff queue", Rendering): with links, labels, dates and the deadline badge's HTML
    computed once per page instead of by tags per row, the page's render went from 10.8 to 4.6 ms of CPU.
    """

    def __init__(self, clock: DeadlineClock, moderated: set[int], ticked: set[str]) -> None:
        self.clock, self.moderated, self.ticked = clock, moderated, ticked
        self.url_prefix = reverse("staff:question", args=["REFERENCE"]).removesuffix("REFERENCE/")
        self.status_labels = dict(QuestionStatus.choices)
        self.short_dates: dict[datetime.date, str] = {}
        # The question page's badge template, rendered once per state and page rather than once per row.
        self.badges = {
            state: render_to_string("staff/includes/deadline_badge.html", {"state": state})
            for state in (deadlines.OVERDUE, deadlines.DUE_SOON, deadlines.PAUSED)
        }

    def short_date(self, value: datetime.date) -> str:
        text = self.short_dates.get(value)
        if text is None:
            text = self.short_dates[value] = format_date(value)
        return text

    def row(self, question) -> QueueRow:
        created = timezone.localtime(question.created_at)
        state = self.clock.state(question)
        return QueueRow(
            question=question,
            deadline_state=state,
            selectable=question.status in REJECTABLE and question.agency_id in self.moderated,
            url=f"{self.url_prefix}{quote(question.reference)}/",
            checked=question.reference in self.ticked,
            status_label=str(self.status_labels.get(question.status, question.status)),
            deadline_text=self.short_date(question.deadline) if question.deadline else "",
            created_text=self.short_date(created.date()),
            created_iso=created.isoformat(),
            deadline_badge=self.badges.get(state, ""),
            select_label=_("Select %(ref)s") % {"ref": question.reference},
        )


def _page_number(value: str | None) -> int:
    """The requested page; anything but a positive number is the first page (as Paginator.get_page does)."""
    try:
        return min(max(1, int(value or 1)), MAX_PAGE)
    except ValueError:
        return 1


def _queue_page(request: HttpRequest, *, bulk_form=None, status: int = 200) -> HttpResponse:
    user = request.user
    agencies = agency_selectors.staff_agencies(user)
    agency_ids = [a.pk for a in agencies]
    form = staff_forms.QueueFilterForm(
        request.GET or None,
        agencies=agencies,
        topics=list(selectors.active_topics()),
        assignees=list(agency_selectors.assignable_users_in(agency_ids)),
        units=list(places.units_valid_on()),
    )
    if form.is_bound:
        form.is_valid()
    filters = form.queue_filters()
    tab, sort = form.current_tab, form.current_sort
    clock = DeadlineClock.for_today()
    counts = staff_queue_counts(user=user, filters=filters, clock=clock, tab=tab)
    page = staff_queue_page(
        user=user,
        tab=tab,
        filters=filters,
        ordering=sort,
        clock=clock,
        counts=counts,
        number=_page_number(request.GET.get("page")),
        page_size=PAGE_SIZE,
    )
    # Page links: Django's elided range over the known (or estimated) number of pages.
    paginator = Paginator((), PAGE_SIZE)
    paginator.count = page.count
    if page.rows and searches_contact(filters.search):
        services.personal_data_accessed(user=user, questions=page.rows, surface=PersonalDataAccess.Surface.SEARCH)
    moderated = set(account_permissions.agency_ids_for(user, MODERATING_ROLES))
    ticked = set(bulk_form["references"].value() or ()) if bulk_form is not None else set()
    formatter = _RowFormatter(clock, moderated, ticked)
    rows = [formatter.row(q) for q in page.rows]
    base_query = request.GET.copy()
    base_query.pop("page", None)
    tabs = []
    for key in (*TABS, ALL_TAB):
        query = base_query.copy()
        query["tab"] = key
        tabs.append(
            {
                "key": key,
                "label": TAB_LABELS[key],
                "count": counts.get(key, 0),
                "capped": counts.capped(key),
                "query": query.urlencode(),
            }
        )
    if bulk_form is None and any(row.selectable for row in rows):
        bulk_form = staff_forms.BulkRejectForm(references=[row.question.reference for row in rows])
    context = {
        **_panel_context(request, "queue"),
        "form": form,
        "tab": tab,
        "tab_label": TAB_LABELS.get(tab, ""),
        "tabs": tabs,
        "rows": rows,
        "page": page,
        "page_range": paginator.get_elided_page_range(min(page.number, paginator.num_pages), on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
        # An estimate says no more than it knows: two significant digits (98,007 -> "about 98,000").
        "count_about": round(page.count, 2 - len(str(page.count))) if not page.count_exact else page.count,
        "show_agency": len(agencies) > 1,
        "several_agencies": len(agencies) > 1,
        "bulk_form": bulk_form if any(row.selectable for row in rows) or (bulk_form and bulk_form.is_bound) else None,
        "query": request.GET.urlencode(),
        "filtered": form.is_filtered(),
        "today": clock.today,
    }
    return render(request, "staff/queue.html", context, status=status)


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return _queue_page(request)


@staff_required
@require_POST
def bulk_reject(request: HttpRequest) -> HttpResponse:
    """Reject the ticked questions (a spam wave). Each is checked and rejected on its own by the service."""
    back = reverse("staff:queue") + (f"?{request.GET.urlencode()}" if request.GET else "")
    form = staff_forms.BulkRejectForm(request.POST)
    if not form.is_valid():
        return _queue_page(request, bulk_form=form, status=400)
    references = form.cleaned_data["references"]
    # Only questions of the user's own agencies are even looked up; the service checks each one's role and state.
    questions = list(staff_queue(user=request.user, tab=ALL_TAB).filter(reference__in=references))
    try:
        result = services.question_reject_many(
            actor=request.user,
            questions=questions,
            reason=form.cleaned_data["reason"],
            message=form.cleaned_data["message"],
        )
    except ValidationError as exc:
        _service_errors(form, exc)
        return _queue_page(request, bulk_form=form, status=400)
    if result.done:
        messages.success(
            request,
            ngettext(
                "Rejected %(count)d question: %(refs)s.", "Rejected %(count)d questions: %(refs)s.", len(result.done)
            )
            % {"count": len(result.done), "refs": ", ".join(result.done)},
        )
    refused = dict(result.refused)
    for reference in set(references) - {q.reference for q in questions}:
        refused[reference] = _("Not found in your agencies' queues.")
    for reference, why in sorted(refused.items()):
        messages.warning(request, _("%(ref)s was not rejected: %(why)s") % {"ref": reference, "why": why})
    return _redirect(back)


# --- One question ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionSpec:
    form: type
    service: object
    done: object  # lazy message shown after success
    button: object  # lazy button label
    style: str = "button-secondary"
    confirm: object = ""  # lazy text of the confirmation dialog (with JavaScript)


ACTIONS: dict[str, ActionSpec] = {
    "accept": ActionSpec(
        staff_forms.AcceptForm,
        services.question_accept,
        gettext_lazy("The question is accepted; the answer clock has started."),
        gettext_lazy("Accept"),
        "button-primary",
    ),
    "assign": ActionSpec(
        staff_forms.AssignForm, services.question_assign, gettext_lazy("Assignee saved."), gettext_lazy("Assign")
    ),
    "request_information": ActionSpec(
        staff_forms.RequestInformationForm,
        services.question_request_information,
        gettext_lazy("The asker has been asked for more information; the clock is paused."),
        gettext_lazy("Ask the asker"),
    ),
    "submit_for_review": ActionSpec(
        staff_forms.NoteOnlyForm,
        services.answer_submit_for_review,
        gettext_lazy("The answer was sent for review."),
        gettext_lazy("Send for review"),
        "button-primary",
    ),
    "approve": ActionSpec(
        staff_forms.NoteOnlyForm,
        services.answer_approve,
        gettext_lazy("The answer is approved and can be sent."),
        gettext_lazy("Approve the answer"),
        "button-primary",
    ),
    "return": ActionSpec(
        staff_forms.ReturnForm,
        services.answer_return,
        gettext_lazy("The answer was returned to its author."),
        gettext_lazy("Return with comment"),
    ),
    "send": ActionSpec(
        staff_forms.SendForm,
        services.answer_send,
        gettext_lazy("The answer was sent to the asker."),
        gettext_lazy("Send the answer to the asker"),
        "button-primary",
        gettext_lazy("Send the answer to the asker now? It cannot be changed afterwards."),
    ),
    "edit_public": ActionSpec(
        staff_forms.PublicVersionForm,
        services.question_public_version_save,
        gettext_lazy("The public version is saved."),
        gettext_lazy("Save the public version"),
    ),
    "publish": ActionSpec(
        staff_forms.PublicVersionForm,
        services.question_publish,
        gettext_lazy("The question and its answer are published in the archive."),
        gettext_lazy("Publish with this public version"),
        "button-primary",
        gettext_lazy("Publish this question and its answer in the public archive?"),
    ),
    "unpublish": ActionSpec(
        staff_forms.UnpublishForm,
        services.question_unpublish,
        gettext_lazy("The question was taken out of the archive."),
        gettext_lazy("Unpublish"),
        "button-danger-outline",
        gettext_lazy("Take this question out of the public archive?"),
    ),
    "transfer": ActionSpec(
        staff_forms.TransferForm,
        services.question_transfer,
        gettext_lazy("The question was transferred to %(agency)s."),
        gettext_lazy("Transfer"),
        "button-secondary",
        gettext_lazy("Transfer this question to the chosen agency? It leaves your queue."),
    ),
    "answer_by_reference": ActionSpec(
        staff_forms.AnswerByReferenceForm,
        services.question_answer_by_reference,
        gettext_lazy("The asker was sent the published answer; the question is closed."),
        gettext_lazy("Send this published answer"),
        "button-secondary",
        gettext_lazy("Send the asker this published answer and close the question?"),
    ),
    "merge": ActionSpec(
        staff_forms.MergeForm,
        services.group_merge,
        gettext_lazy("The questions were merged into this one; it is answered once for every asker."),
        gettext_lazy("Merge into this question"),
    ),
    "leave_group": ActionSpec(
        staff_forms.NoteOnlyForm,
        services.group_leave,
        gettext_lazy("The question left its group and is handled on its own again."),
        gettext_lazy("Leave the group"),
        "button-secondary",
        gettext_lazy("Take this question out of its group? It will need its own answer."),
    ),
    "reject": ActionSpec(
        staff_forms.RejectForm,
        services.question_reject,
        gettext_lazy("The question was rejected and the asker told."),
        gettext_lazy("Reject"),
        "button-danger",
        gettext_lazy("Reject this question? The asker receives your message."),
    ),
}
# Both public-version actions submit the one form shown beside the original.
PUBLIC_ACTIONS = ("edit_public", "publish")
assert set(ACTIONS) == set(STAFF_ACTIONS)  # noqa: S101 (every action the permissions module offers has a form)


def _prefix(action: str) -> str:
    return "public" if action in PUBLIC_ACTIONS else action


def _form_kwargs(action: str, sq: StaffQuestion, cache: dict) -> dict:
    """Choices the form needs (assignable people, other agencies), read once per page."""
    if action in ("accept", "assign"):
        if "assignees" not in cache:
            cache["assignees"] = list(assignable_users(sq.question.agency_id))
        return {"assignees": cache["assignees"]}
    if action == "transfer":
        if "agencies" not in cache:
            cache["agencies"] = [a for a in selectors.active_agencies() if a.pk != sq.question.agency_id]
        return {"agencies": cache["agencies"]}
    return {}


def _initial(action: str, sq: StaffQuestion) -> dict:
    question = sq.question
    initial: dict = {"expected_version": question.version}
    if action in PUBLIC_ACTIONS:
        title, body = question.public_title, question.public_body
        if (title, body) == (question.title, question.body):
            # Never edited (a question from before redaction on submission): start from the redacted copy.
            title, body = personal_data.public_copy(question.title, question.body, sq.contact)
        initial.update(public_title=title, public_body=body)
    elif action == "assign":
        initial["assignee"] = str(question.assignee_id or "")
    elif action == "send" and sq.answer is not None:
        initial["signed_by"] = sq.answer.signed_by
    return initial


def personal_findings(sq: StaffQuestion, public_form=None) -> list[dict]:
    """What in the public title, text and answer looks personal, with its context for highlighting.

    Read from the text the official is editing (a re-rendered form) or the stored public version. Blocking
    findings (the asker's own data, ID numbers) get a confirmation box; the others are warnings.
    """
    question = sq.question
    title, body, confirmed = question.public_title, question.public_body, []
    if public_form is not None and public_form.is_bound:
        title = public_form.data.get(f"{public_form.prefix}-public_title", title)
        body = public_form.data.get(f"{public_form.prefix}-public_body", body)
        confirmed = public_form.data.getlist(f"{public_form.prefix}-confirmed_findings")
    elif public_form is not None:
        title = public_form.initial.get("public_title", title)
        body = public_form.initial.get("public_body", body)
    texts = {"public_title": title, "public_body": body}
    labels = {"public_title": _("Public title"), "public_body": _("Public text"), "answer": _("Answer")}
    accepted = {personal_data.normalise_confirmation(c) for c in confirmed}
    rows = []
    for ff in personal_data.publication_findings(question, public_title=title, public_body=body):
        f = ff.finding
        text = texts.get(ff.field)
        if text is None:
            text = html_to_text(sq.answer.body) if sq.answer else ""
        rows.append(
            {
                "field": ff.field,
                "field_label": labels[ff.field],
                "kind": f.kind,
                "label": f.label,
                "text": f.text,
                "own": f.own,
                "blocking": f.blocking,
                "before": text[max(0, f.start - 40) : f.start],
                "after": text[f.end : f.end + 40],
                "confirmed": personal_data.normalise_confirmation(f.text) in accepted,
            }
        )
    return rows


def redaction_hints(findings: list[dict]) -> list[str]:
    """One sentence per finding (a helper, not a guarantee)."""
    hints = []
    for row in findings:
        what = _("the asker's own data (%(kind)s)") % {"kind": row["label"]} if row["own"] else row["label"]
        hints.append(_("It contains %(what)s: “%(value)s”.") % {"what": what, "value": row["text"]})
    return hints


def _local_date(iso: str) -> str:
    """An ISO date kept in an event's data, in the reader's date format."""
    try:
        return format_date(datetime.date.fromisoformat(iso))
    except (TypeError, ValueError):
        return str(iso)


def _timeline(sq: StaffQuestion) -> list[dict]:
    labels = dict(S.choices)
    reasons = dict(RejectionReason.choices)
    rows = []
    for event in sq.events:
        data = event.data or {}
        details = []
        if data.get("assignee_name") or "assignee_id" in data:
            details.append(_("Assignee: %(name)s") % {"name": data.get("assignee_name") or _("nobody")})
        if data.get("to_agency"):
            details.append(
                _("From %(source)s to %(target)s")
                % {"source": data.get("from_agency", ""), "target": data["to_agency"]}
            )
        if data.get("reason") in reasons:
            details.append(_("Reason: %(reason)s") % {"reason": reasons[data["reason"]]})
        if data.get("duplicate_of"):
            details.append(_("Duplicate of %(ref)s") % {"ref": data["duplicate_of"]})
        if data.get("due_date") and event.action in ("accept", "receive_information"):
            details.append(_("Answer due by %(date)s") % {"date": _local_date(data["due_date"])})
        if data.get("paused_working_days"):
            details.append(_("Clock paused for %(n)s working day(s)") % {"n": data["paused_working_days"]})
        if data.get("channel"):
            channel = dict(Channel.choices).get(data["channel"], data["channel"])
            details.append(_("Channel: %(channel)s") % {"channel": channel})
        if data.get("answer_version"):
            details.append(_("Answer version %(v)s") % {"v": data["answer_version"]})
        if "satisfied" in data:
            details.append(_("Satisfied") if data["satisfied"] else _("Not satisfied"))
        if data.get("follow_up"):
            details.append(_("Follow-up: %(ref)s") % {"ref": data["follow_up"]})
        rows.append(
            {
                "event": event,
                "label": workflow.action_label(event.action),
                "actor": event.actor.get_full_name() if event.actor else "",
                "from": labels.get(event.from_status, event.from_status),
                "to": labels.get(event.to_status, event.to_status),
                "changed": event.from_status != event.to_status,
                "details": details,
            }
        )
    return rows


def _render_question(
    request: HttpRequest,
    sq: StaffQuestion,
    *,
    bound: dict | None = None,
    status: int = 200,
    stale: StaleAnswer | None = None,
) -> HttpResponse:
    bound = bound or {}
    question = sq.question
    if sq.contact is not None and sq.contact.erased_at is None:
        # Every rendering shows the asker's contact: logged for the agency admin.
        services.personal_data_accessed(user=request.user, questions=[question], surface=SURFACE_PAGE)
    cache: dict = {}
    panels = []
    for action in sq.actions:
        if action in PUBLIC_ACTIONS:
            continue
        spec = ACTIONS[action]
        form = bound.get(action) or spec.form(
            prefix=_prefix(action), initial=_initial(action, sq), **_form_kwargs(action, sq, cache)
        )
        panels.append({"action": action, "spec": spec, "form": form, "label": workflow.action_label(action)})
    can_edit_public = "edit_public" in sq.actions
    can_publish = "publish" in sq.actions
    public_form = None
    if can_edit_public or can_publish:
        public_form = (
            bound.get("edit_public")
            or bound.get("publish")
            or staff_forms.PublicVersionForm(prefix="public", initial=_initial("edit_public", sq))
        )
    findings = personal_findings(sq, public_form) if public_form is not None else []
    publish_blocked = None
    if question.status == S.ANSWERED and not can_publish and workflow.can_apply(question, "publish", sq.roles):
        error = workflow.precondition_error(question, "publish")
        publish_blocked = error.message if error else None
    send_blocked = None
    if "send" not in sq.actions and workflow.can_apply(question, "send", sq.roles):
        error = workflow.precondition_error(question, "send")
        send_blocked = error.message if error else None

    answer_form = template_form = None
    templates: list[AnswerTemplate] = []
    template_used = None
    if sq.can_edit_answer:
        templates = list(answer_templates_for(question).select_related("topic"))
        template_form = staff_forms.TemplatePickForm(request.GET or None, templates=templates)
        answer_form = bound.get("answer")
        if answer_form is None:
            initial = {"answer_version": sq.answer.version if sq.answer else 0}
            initial["body"] = staff_forms.html_to_editable(sq.answer.body) if sq.answer else ""
            initial["signed_by"] = sq.answer.signed_by if sq.answer else ""
            chosen = request.GET.get("template", "")
            template_used = next((t for t in templates if str(t.pk) == chosen), None)
            if template_used is not None:
                initial["body"] = staff_forms.html_to_editable(template_used.body)
            answer_form = staff_forms.AnswerForm(prefix="answer", initial=initial)
    # Likely duplicates while the question still waits for its own answer (bounded queries, qa.staff.duplicates).
    show_duplicates = question.status in (S.SUBMITTED, S.ACCEPTED, S.INFORMATION_REQUESTED)
    context = {
        **_panel_context(request, "question"),
        "show_duplicates": show_duplicates,
        "duplicates": duplicates.likely_duplicates(user=request.user, question=question) if show_duplicates else [],
        "group": duplicates.group_of(question),
        "sq": sq,
        "question": question,
        "contact": sq.contact,
        "answer": sq.answer,
        "panels": panels,
        "public_form": public_form,
        "can_edit_public": can_edit_public,
        "can_publish": can_publish,
        "publish_blocked": publish_blocked,
        "send_blocked": send_blocked,
        # For those who edit the public version; the others could do nothing about them.
        "personal_findings": findings,
        "redaction_hints": redaction_hints(findings),
        "blocking_findings": [row for row in findings if row["blocking"]],
        "answer_form": answer_form,
        "template_form": template_form,
        "templates": templates,
        "template_used": template_used,
        "stale": stale,
        "note_form": bound.get("note") or (staff_forms.NoteForm(prefix="note") if sq.can_add_note else None),
        "timeline": _timeline(sq),
        "reply_attachments": [a for reply in sq.replies for a in reply.attachments.all()],
        "files_dropped": bool(bound.get("files_dropped")),
        "role_labels": [str(Membership.Role(r).label) for r in sorted(sq.roles)],
    }
    return render(request, "staff/question.html", context, status=status)


def _question_url(question, anchor: str = "") -> str:
    return reverse("staff:question", kwargs={"reference": question.reference}) + (f"#{anchor}" if anchor else "")


@staff_required
@require_GET
def question(request: HttpRequest, reference: str) -> HttpResponse:
    sq = staff_question(user=request.user, reference=reference)
    notifications_read_about(user=request.user, question_id=sq.question.pk)  # opened: its items are read
    return _render_question(request, sq)


def _conflict(request: HttpRequest, exc: TransitionNotAllowed) -> None:
    messages.error(request, str(exc.message))
    if exc.code == "stale_version":
        messages.info(request, _("The page now shows the current state. What you typed is kept in the form."))


def _refreshed(form, prefix: str, version: int, **kwargs):
    """The same typed data bound to a new form that carries the question's current version."""
    data = form.data.copy()
    data[f"{prefix}-expected_version"] = str(version)
    return type(form)(data, prefix=prefix, **kwargs)


@staff_required
@require_POST
def question_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    sq = staff_question(user=request.user, reference=reference)
    if not workflow.TRANSITIONS[action].roles & sq.roles:
        raise PermissionDenied(_("Your role does not allow this action."))
    notifications_read_about(user=request.user, question_id=sq.question.pk)  # acting on it reads its items
    prefix = _prefix(action)
    cache: dict = {}
    form = spec.form(request.POST, prefix=prefix, **_form_kwargs(action, sq, cache))
    status = 400
    if form.is_valid():
        try:
            question = spec.service(
                actor=request.user,
                question=sq.question,
                expected_version=form.cleaned_data["expected_version"],
                **form.service_arguments(),
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        except TransitionNotAllowed as exc:
            _conflict(request, exc)
            status = 409
        except PersonalDataFound as exc:
            form.add_error(None, str(exc.message))
        except PermissionDenied as exc:  # a merge naming a question out of the user's reach
            form.add_error(None, str(exc))
            status = 403
        else:
            if action == "transfer":
                messages.success(request, str(spec.done) % {"agency": question.agency.name})
                # The question has left this agency: its page may now be another agency's.
                if not account_permissions.roles_in(request.user, question.agency_id):
                    return _redirect(reverse("staff:queue"))
            else:
                messages.success(request, str(spec.done))
            return _redirect(_question_url(question))
    sq = staff_question(user=request.user, reference=reference)
    if status == 409:
        form = _refreshed(form, prefix, sq.question.version, **_form_kwargs(action, sq, cache))
    return _render_question(request, sq, bound={action: form}, status=status)


@staff_required
@require_POST
def answer_save(request: HttpRequest, reference: str) -> HttpResponse:
    """Save the answer draft as a new revision; an edit made on an older version is refused, never lost."""
    sq = staff_question(user=request.user, reference=reference)
    if not workflow.TRANSITIONS["save_draft"].roles & sq.roles:
        raise PermissionDenied(_("Your role does not allow writing answers."))
    form = staff_forms.AnswerForm(request.POST, request.FILES, prefix="answer")
    files = request.FILES.getlist("answer-attachments")
    stale = None
    status = 400
    if form.is_valid():
        try:
            services.answer_draft_save(actor=request.user, question=sq.question, **form.service_arguments(files))
        except StaleAnswer as exc:
            stale = exc
            status = 409
            messages.error(request, str(exc.message))
        except TransitionNotAllowed as exc:
            _conflict(request, exc)
            status = 409
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("The answer draft is saved."))
            return _redirect(_question_url(sq.question, "answer"))
    if stale is not None:
        # Keep the official's text; the next save is made on the newer version, deliberately, after comparing.
        data = form.data.copy()
        data["answer-answer_version"] = str(stale.current_version)
        form = staff_forms.AnswerForm(data, prefix="answer")
        form.is_valid()
    sq = staff_question(user=request.user, reference=reference)
    return _render_question(
        request, sq, bound={"answer": form, "files_dropped": bool(files)}, status=status, stale=stale
    )


@staff_required
@require_POST
def answer_attachment_remove(request: HttpRequest, reference: str, attachment_id: int) -> HttpResponse:
    sq = staff_question(user=request.user, reference=reference)
    try:
        services.answer_attachment_remove(actor=request.user, question=sq.question, attachment_id=attachment_id)
    except TransitionNotAllowed as exc:
        _conflict(request, exc)
        return _render_question(request, staff_question(user=request.user, reference=reference), status=409)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was removed from the answer."))
    return _redirect(_question_url(sq.question, "answer"))


@staff_required
@require_POST
def note_add(request: HttpRequest, reference: str) -> HttpResponse:
    sq = staff_question(user=request.user, reference=reference)
    form = staff_forms.NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            services.internal_note_add(actor=request.user, question=sq.question, body=form.cleaned_data["body"])
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("The note is added."))
            return _redirect(_question_url(sq.question, "notes"))
    return _render_question(request, sq, bound={"note": form}, status=400)


@staff_required
@require_GET
def attachment_download(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    """A question's file, for its agency's staff only; sent as a download so it never runs in the page."""
    attachment: Attachment = staff_attachment(user=request.user, reference=reference, attachment_id=attachment_id)
    if attachment.purpose != Attachment.Purpose.ANSWER:
        services.personal_data_accessed(
            user=request.user, questions=[attachment.question], surface=PersonalDataAccess.Surface.ATTACHMENT
        )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Registering a question on the asker's behalf ------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    agencies = agency_selectors.staff_agencies(request.user, REGISTERING_ROLES)
    if not agencies:
        raise PermissionDenied(_("Only moderators register questions on behalf of askers."))
    topics = list(selectors.active_topics())
    units = list(places.units_valid_on())
    status = 200
    files_dropped = False
    routing = None
    if request.method == "POST" and "suggest" in request.POST:
        # The same agency suggestion as the ask form (qa.routing): shown, and preselected when confident.
        routing, initial = suggest_for_form(request.POST, {str(a.pk) for a in agencies})
        form = staff_forms.RegisterForm(initial=initial, agencies=agencies, topics=topics, units=units)
        files_dropped = bool(request.FILES.getlist("attachments"))
    elif request.method == "POST":
        form = staff_forms.RegisterForm(request.POST, request.FILES, agencies=agencies, topics=topics, units=units)
        files = request.FILES.getlist("attachments")
        if form.is_valid():
            try:
                question = services.question_register(actor=request.user, **form.service_arguments(files))
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Question %(ref)s is registered and in the queue. Give the asker this reference code.")
                    % {"ref": question.reference},
                )
                return _redirect(_question_url(question))
        status = 400
        files_dropped = bool(files)
    else:
        initial = {"channel": "phone", "asker_type": "individual", "language": "vi"}
        if len(agencies) == 1:
            initial["agency"] = str(agencies[0].pk)
        form = staff_forms.RegisterForm(initial=initial, agencies=agencies, topics=topics, units=units)
    context = {**_panel_context(request, "register"), "form": form, "files_dropped": files_dropped, "routing": routing}
    return render(request, "staff/register.html", context, status=status)


# --- Agency administration ---------------------------------------------------------------------------


def _agency_for(request: HttpRequest, slug: str, *, admin: bool = False, templates: bool = False) -> Agency:
    agency = get_object_or_404(Agency, slug=slug, is_active=True)
    if admin and not account_permissions.is_agency_admin(request.user, agency):
        raise PermissionDenied(_("Only administrators of this agency manage it."))
    if templates and not can_manage_templates(request.user, agency):
        raise PermissionDenied(_("Only moderators of this agency manage its answer templates."))
    return agency


@staff_required
@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    """The user's agencies with what they may manage in each."""
    user = request.user
    rows = []
    for agency in agency_selectors.staff_agencies(user):
        roles = account_permissions.roles_in(user, agency.pk)
        rows.append(
            {
                "agency": agency,
                "roles": [str(Membership.Role(r).label) for r in sorted(roles)],
                "is_admin": account_permissions.is_agency_admin(user, agency.pk),
                "manages_templates": can_manage_templates(user, agency.pk),
            }
        )
    return render(request, "staff/agencies.html", {**_panel_context(request, "agencies"), "rows": rows})


def _members_page(request, agency, *, add_form=None, role_forms=None, status=200) -> HttpResponse:
    members = list(agency_selectors.agency_members(agency))
    role_forms = role_forms or {}
    people: dict[int, dict] = {}
    for membership in members:
        person = people.setdefault(membership.user_id, {"user": membership.user, "memberships": []})
        form = role_forms.get(membership.pk) or staff_forms.MemberRoleForm(
            prefix=f"m{membership.pk}", initial={"role": membership.role}
        )
        person["memberships"].append({"membership": membership, "form": form})
    context = {
        **_agency_context(request, agency),
        "people": list(people.values()),
        "add_form": add_form or staff_forms.MemberAddForm(),
    }
    return render(request, "staff/agency_members.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def agency_members(request: HttpRequest, slug: str) -> HttpResponse:
    agency = _agency_for(request, slug, admin=True)
    if request.method == "POST":
        form = staff_forms.MemberAddForm(request.POST)
        if form.is_valid():
            try:
                membership = agency_services.membership_add(
                    actor=request.user, agency=agency, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s is now %(role)s.")
                    % {"name": membership.user.get_full_name(), "role": membership.get_role_display()},
                )
                return _redirect(reverse("staff:agency_members", kwargs={"slug": agency.slug}))
        return _members_page(request, agency, add_form=form, status=400)
    return _members_page(request, agency)


def _membership(agency: Agency, membership_id: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user", "agency"), pk=membership_id, agency=agency)


@staff_required
@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    agency = _agency_for(request, slug, admin=True)
    membership = _membership(agency, membership_id)
    form = staff_forms.MemberRoleForm(request.POST, prefix=f"m{membership.pk}")
    if form.is_valid():
        try:
            changed = agency_services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": changed.user.get_full_name(), "role": changed.get_role_display()},
            )
            return _redirect(reverse("staff:agency_members", kwargs={"slug": agency.slug}))
    return _members_page(request, agency, role_forms={membership.pk: form}, status=400)


@staff_required
@require_POST
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    agency = _agency_for(request, slug, admin=True)
    membership = _membership(agency, membership_id)
    try:
        agency_services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _members_page(request, agency, status=400)
    messages.success(
        request,
        _("%(name)s no longer has the role %(role)s.")
        % {"name": membership.user.get_full_name(), "role": membership.get_role_display()},
    )
    if not account_permissions.is_agency_staff(request.user):
        return _redirect(reverse("qa:home"))
    if not account_permissions.is_agency_admin(request.user, agency):
        return _redirect(reverse("staff:agencies"))
    return _redirect(reverse("staff:agency_members", kwargs={"slug": agency.slug}))


@staff_required
@require_http_methods(["GET", "POST"])
def agency_settings(request: HttpRequest, slug: str) -> HttpResponse:
    agency = _agency_for(request, slug, admin=True)
    status = 200
    if request.method == "POST":
        form = staff_forms.AgencySettingsForm(request.POST)
        if form.is_valid():
            try:
                agency_services.agency_settings_update(
                    actor=request.user,
                    agency=agency,
                    answer_deadline_days=form.cleaned_data["answer_deadline_days"],
                    review_required=form.cleaned_data["review_required"],
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("The agency's settings are saved."))
                return _redirect(reverse("staff:agency_settings", kwargs={"slug": agency.slug}))
        status = 400
    else:
        form = staff_forms.AgencySettingsForm(
            initial={"answer_deadline_days": agency.answer_deadline_days, "review_required": agency.review_required}
        )
    context = {**_agency_context(request, agency), "form": form}
    return render(request, "staff/agency_settings.html", context, status=status)


ACCESS_LOG_PAGE_SIZE = 50


@staff_required
@require_GET
def access_log(request: HttpRequest, slug: str) -> HttpResponse:
    """Who saw the personal data of this agency's questions, when and where: for the agency's admin."""
    agency = _agency_for(request, slug, admin=True)
    paginator = Paginator(personal_data_accesses(agency), ACCESS_LOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        **_agency_context(request, agency),
        "page": page,
        "rows": page.object_list,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
    }
    return render(request, "staff/access_log.html", context)


# --- Answer templates ------------------------------------------------------------------------------


@staff_required
@require_GET
def templates_list(request: HttpRequest, slug: str) -> HttpResponse:
    agency = _agency_for(request, slug, templates=True)
    context = {**_agency_context(request, agency), "templates": list(agency_answer_templates(agency.pk))}
    return render(request, "staff/templates_list.html", context)


def _template_of(agency: Agency, template_id: int) -> AnswerTemplate:
    return get_object_or_404(AnswerTemplate, pk=template_id, agency=agency)


@staff_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, slug: str, template_id: int | None = None) -> HttpResponse:
    agency = _agency_for(request, slug, templates=True)
    template = _template_of(agency, template_id) if template_id is not None else None
    topics = list(selectors.active_topics())
    status = 200
    if request.method == "POST":
        form = staff_forms.AnswerTemplateForm(request.POST, topics=topics)
        if form.is_valid():
            try:
                if template is None:
                    services.answer_template_create(actor=request.user, agency=agency, **form.service_arguments())
                else:
                    services.answer_template_update(actor=request.user, template=template, **form.service_arguments())
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("The answer template is saved."))
                return _redirect(reverse("staff:templates", kwargs={"slug": agency.slug}))
        status = 400
    else:
        initial = (
            {
                "title": template.title,
                "topic": str(template.topic_id or ""),
                "body": staff_forms.html_to_editable(template.body),
            }
            if template
            else {}
        )
        form = staff_forms.AnswerTemplateForm(initial=initial, topics=topics)
    context = {**_agency_context(request, agency), "template": template, "form": form}
    return render(request, "staff/template_form.html", context, status=status)


@staff_required
@require_POST
def template_delete(request: HttpRequest, slug: str, template_id: int) -> HttpResponse:
    agency = _agency_for(request, slug, templates=True)
    template = _template_of(agency, template_id)
    services.answer_template_delete(actor=request.user, template=template)
    messages.success(request, _("The answer template “%(title)s” was deleted.") % {"title": template.title})
    return _redirect(reverse("staff:templates", kwargs={"slug": agency.slug}))
