"""Citizen-facing pages. Thin: they parse input, call services and selectors, and render.

Pages that carry the private tracking token (receipt, tracking, withdraw) are sent
with no-referrer, noindex and no-store so the token does not leak to other sites,
search engines or shared caches.
"""

import logging
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.lineage import agency_for_old_slug
from core.client_ip import client_ip
from core.errors import DomainError, RateLimited, TransitionNotAllowed
from notifications.services import notifications_read_about

from . import cache as archive_cache
from . import deadlines, places, selectors, workflow
from .forms import ArchiveFilterForm, AskForm, HelpfulVoteForm, LostLinkForm, WithdrawForm
from .models import Question, QuestionStatus
from .routing import suggest_for_form
from .services import (
    helpful_vote,
    question_confirm_email,
    question_submit,
    question_view_record,
    question_withdraw,
    tracking_links_request,
)
from .services.archive_answers import archive_answer_followed, archive_answer_opened
from .services.confirmation import pending_grant_add
from .services.privacy import ERASABLE_STATUSES
from .services.public import AlreadyVoted, pending_views
from .status import DUE_DATE_STATUSES, PAUSED_STATUSES
from .status import info as status_info

logger = logging.getLogger(__name__)

ARCHIVE_PAGE_SIZE = 20
VOTER_COOKIE = "qa_voter"
VOTER_COOKIE_SALT = "qa.voter"
VOTER_COOKIE_AGE = 2 * 365 * 24 * 3600


def _explanation(question_status: str) -> str:
    """What the status means for the asker, in plain words (qa.status.STATUS_TABLE; follows the language)."""
    explanation = status_info(question_status).explanation
    return str(explanation) if explanation is not None else ""


# The statuses in which the answer clock runs (or is paused) and a due date means something to the asker.
_CLOCK_STATUSES = DUE_DATE_STATUSES


def private_response(response: HttpResponse) -> HttpResponse:
    """Headers for pages whose URL or form holds the tracking token.

    `same-origin` keeps the token out of every other site's referrer logs (the
    pages load nothing from elsewhere) while form posts keep a real Origin, so
    Django's CSRF check works; `no-referrer` would make Chromium send `Origin: null`.
    """
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


def _receipt_url(question: Question) -> str:
    return reverse("qa:receipt", kwargs={"reference": question.reference}) + f"?token={question.tracking_token}"


# --- Home ---------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return archive_cache.serve(request, lambda: _home(request))


def _home(request: HttpRequest) -> HttpResponse:
    agencies = list(selectors.active_agencies())
    ids = {a.pk for a in agencies}
    roots = [a for a in agencies if a.parent_id not in ids]
    children: dict[int, list] = {}
    for agency in agencies:
        if agency.parent_id in ids:
            children.setdefault(agency.parent_id, []).append(agency)
    context = {
        "latest": list(selectors.archive()[:6]),
        "topics": list(selectors.active_topics()),
        "agency_tree": [(root, children.get(root.pk, [])) for root in roots],
    }
    return render(request, "qa/home.html", context)


# --- Asking -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    agencies = list(selectors.active_agencies())
    topics = list(selectors.active_topics())
    units = list(places.units_valid_on())
    status = 200
    retry_after = None
    files_dropped = False
    routing = None
    if request.method == "POST" and "suggest" in request.POST:
        # "Suggest an agency" (the form without JavaScript): show the suggestion and everything typed, send nothing.
        routing, initial = suggest_for_form(request.POST)
        form = AskForm(initial=initial, agencies=agencies, topics=topics, places=units)
        files_dropped = bool(request.FILES.getlist("attachments"))
    elif request.method == "POST":
        form = AskForm(request.POST, request.FILES, agencies=agencies, topics=topics, places=units)
        files = request.FILES.getlist("attachments")
        if form.is_valid():
            if form.is_spam:
                return _honeypot_caught(request, form)
            user = request.user if request.user.is_authenticated else None
            try:
                question = question_submit(
                    **form.service_arguments(files),
                    user=user,
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                    client_ip=client_ip(request),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    form.add_service_errors(exc.message_dict)
                else:
                    form.add_service_errors({"__all__": exc.messages})
            except RateLimited as exc:
                form.add_error(None, str(exc.message))
                status, retry_after = 429, exc.retry_after
            else:
                archive_answer_followed(request.session)
                if question.status == QuestionStatus.UNVERIFIED:
                    if not question.contact.email:  # phone only: the receipt has the SMS code form
                        return private_response(redirect(_receipt_url(question)))
                    pending_grant_add(request.session, question.reference)
                    return redirect("qa:ask_sent", reference=question.reference)
                return private_response(redirect(_receipt_url(question)))
        # Browsers cannot refill a file input: tell the asker to attach again.
        files_dropped = bool(files)
    else:
        # Links such as "Ask this agency" preselect the agency and topic.
        initial = {key: request.GET[key] for key in ("agency", "topic") if request.GET.get(key, "").isdigit()}
        if request.user.is_authenticated:
            initial.update(name=request.user.full_name, email=request.user.email, phone=request.user.phone)
        form = AskForm(initial=initial, agencies=agencies, topics=topics, places=units)
    context = {
        "form": form,
        "routing": routing,
        "files_dropped": files_dropped,
        "max_files": settings.QA_MAX_ATTACHMENTS,
        "max_mb": settings.QA_MAX_ATTACHMENT_BYTES // (1024 * 1024),
    }
    response = render(request, "qa/ask.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _honeypot_caught(request: HttpRequest, form: AskForm) -> HttpResponse:
    """A bot filled the hidden field: look like success (so it learns nothing) and save nothing."""
    logger.warning(
        "Ask form honeypot filled; submission dropped (ip=%s, user-agent=%r)",
        client_ip(request),
        request.META.get("HTTP_USER_AGENT", "")[:200],
    )
    agency = form.service_arguments([])["agency"]
    code = agency.code if agency is not None else "HP"
    fake = f"{code}-{timezone.localdate().year}-{secrets.randbelow(900000) + 100000:06d}"
    return redirect("qa:ask_sent", reference=fake)


@require_GET
def ask_sent(request: HttpRequest, reference: str) -> HttpResponse:
    # Only the browser that asked gets "send again" / "correct my e-mail" (a session grant); to anyone else
    # the page shows nothing about the question, so it confirms nothing to a stranger.
    from .reach_views import ask_sent_response

    return ask_sent_response(request, reference[:40])


@require_GET
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        question = question_confirm_email(token=token)
    except ValidationError as exc:
        return private_response(render(request, "qa/confirm_failed.html", {"error": exc.messages[0]}, status=400))
    except Question.DoesNotExist:
        return private_response(
            render(request, "qa/confirm_failed.html", {"error": _("This confirmation link is not valid.")}, status=400)
        )
    return private_response(redirect(_receipt_url(question)))


@require_GET
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    question = selectors.receipt_question(reference, request.GET.get("token"))
    return receipt_response(request, question)


def receipt_response(
    request: HttpRequest, question: Question, *, code_form=None, correct_form=None, status: int = 200
) -> HttpResponse:
    """The receipt; for a phone-only question still unconfirmed, with the SMS code form and "send a new code"."""
    from accounts.phones import masked_mobile, normalise_mobile

    from .reach_views import PhoneCodeForm, PhoneCorrectForm
    from .services.lookup import lookup_pin

    contact = getattr(question, "contact", None)
    mobile = normalise_mobile(contact.phone) if contact is not None and not contact.email and contact.phone else None
    tracking_url = request.build_absolute_uri(question.tracking_path())
    context = {
        "question": question,
        "tracking_url": tracking_url,
        "transfer_days": deadlines.TRANSFER_WORKING_DAYS,
        "awaiting_code": question.status == QuestionStatus.UNVERIFIED,
        "code_form": code_form or PhoneCodeForm(),
        "correct_form": correct_form or PhoneCorrectForm(),
        "by_sms": mobile is not None,
        "masked_phone": masked_mobile(mobile) if mobile else "",
        "lookup_pin": lookup_pin(question),
        "code_minutes": max(settings.QA_PHONE_CODE_TTL // 60, 1),
    }
    return private_response(render(request, "qa/receipt.html", context, status=status))


# --- Tracking -----------------------------------------------------------------------------


def deadline_state(question: Question, today=None) -> str:
    """'' / 'paused' / 'due_soon' / 'overdue' for the answer due date as the asker sees it."""
    if question.due_date is None or question.status not in _CLOCK_STATUSES:
        return ""
    if question.status in PAUSED_STATUSES:
        return "paused"
    today = today or timezone.localdate()
    if today > question.due_date:
        return "overdue"
    if deadlines.working_days_between(today, question.due_date) <= deadlines.DUE_SOON_WORKING_DAYS:
        return "due_soon"
    return ""


def _timeline(question: Question) -> list[dict]:
    rows = []
    for event in question.events.all():  # prefetched: public events only
        transition = workflow.TRANSITIONS.get(event.action)
        rows.append(
            {"label": transition.label if transition else event.action, "note": event.note, "at": event.created_at}
        )
    return rows


@require_GET
def track(request: HttpRequest, reference: str) -> HttpResponse:
    token = request.GET.get("token", "")
    question = selectors.tracked_question(reference, token)
    notifications_read_about(user=request.user, question_id=question.pk)  # a registered asker's items about it
    return private_response(render(request, "qa/track.html", track_context(question, token)))


def track_context(question: Question, token: str) -> dict:
    """What the tracking page shows; the lookup's read-only view reuses it without the token."""
    return {
        "question": question,
        "token": token,
        "answer": selectors.sent_answer(question),
        "referenced": selectors.referenced_answer(question),
        "explanation": _explanation(question.status),
        "deadline_state": deadline_state(question),
        "show_due_date": question.status in _CLOCK_STATUSES and question.due_date is not None,
        "timeline": _timeline(question),
        "attachments": list(question.attachments.all()),
        "can_withdraw": workflow.can_apply(question, "withdraw", {workflow.ASKER}),
        "withdraw_form": WithdrawForm(initial={"token": token}),
        "can_erase": question.status in ERASABLE_STATUSES,
        "read_only": False,
    }


@require_POST
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    form = WithdrawForm(request.POST)
    token = request.POST.get("token", "")
    question = selectors.tracked_question(reference, token)
    if not form.is_valid() or not form.cleaned_data["confirm"]:
        # First step (or a reason that is too long): ask to confirm, keeping what was typed.
        if form.is_bound and not form.errors.get("reason"):
            form = WithdrawForm(initial={"token": token, "reason": request.POST.get("reason", "")})
        return private_response(
            render(request, "qa/withdraw_confirm.html", {"question": question, "form": form, "token": token})
        )
    try:
        question_withdraw(question=question, token=token, reason=form.cleaned_data["reason"])
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your question has been withdrawn."))
    return private_response(redirect(question.tracking_path()))


@require_http_methods(["GET", "POST"])
def lost_link(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.GET.get("sent"):
        return render(request, "qa/lost_link_sent.html")
    status, retry_after = 200, None
    if request.method == "POST":
        form = LostLinkForm(request.POST)
        if form.is_valid():
            try:
                tracking_links_request(
                    email=form.cleaned_data["email"],
                    client_ip=client_ip(request),
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                )
            except ValidationError as exc:
                errors = exc.message_dict.get("email", exc.messages) if hasattr(exc, "error_dict") else exc.messages
                form.add_error("email", errors)
            except RateLimited as exc:
                form.add_error(None, str(exc.message))
                status, retry_after = 429, exc.retry_after
            else:
                # The same answer whether the address is known or not.
                return redirect(reverse("qa:lost_link") + "?sent=1")
    else:
        form = LostLinkForm()
    response = render(request, "qa/lost_link.html", {"form": form}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# --- Public archive -----------------------------------------------------------------------


def _archive_page(
    request: HttpRequest,
    template: str,
    extra: dict,
    *,
    agencies: list | None = None,
    topics: list | None = None,
    **fixed,
) -> HttpResponse:
    agencies = list(selectors.active_agencies()) if agencies is None else agencies
    topics = list(selectors.active_topics()) if topics is None else topics
    form = ArchiveFilterForm(request.GET or None, agencies=agencies, topics=topics)
    form.is_valid()  # errors are shown; only the valid filters apply
    arguments = form.archive_arguments() if form.is_bound else {"ordering": "newest"}
    arguments.update(fixed)
    page, cursor_error = _archive_results(request, arguments)
    # Numbered pages up to the last one numbers reach (keyset.MAX_NUMBERED_ROWS); every page links "older results".
    numbered = min(page.last_number, max(1, -(-page.count // ARCHIVE_PAGE_SIZE)))
    numbers = Paginator(range(numbered * ARCHIVE_PAGE_SIZE), ARCHIVE_PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "questions": page.questions,
        "cursor_error": cursor_error,
        "page_range": numbers.get_elided_page_range(page.number or 1, on_each_side=2, on_ends=1)
        if numbered > 1
        else [],
        "ellipsis": Paginator.ELLIPSIS,
        "search": arguments.get("search", ""),
        "filtered": any(arguments.get(k) for k in ("search", "agency", "topic", "date_from", "date_to")),
        # Keep the filter panel folded on phones unless the visitor used it.
        "filters_open": bool(form.errors)
        or any(request.GET.get(k) for k in ("agency", "topic", "date_from", "date_to", "sort")),
        **extra,
    }
    return render(request, template, context)


def _archive_results(request: HttpRequest, arguments: dict) -> tuple[selectors.ArchivePage, bool]:
    """The page asked for: by `after` (a cursor: "older results") or by number, clamped to the numbered pages.

    A damaged cursor shows the first page with a message (a link copied in half is not an error page).
    """
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    cursor = request.GET.get("after") or None
    try:
        page = selectors.archive_page(**arguments, page=number, cursor=cursor, size=ARCHIVE_PAGE_SIZE)
    except selectors.PageOutOfRange:
        number = max(1, selectors.MAX_NUMBERED_ROWS // ARCHIVE_PAGE_SIZE)
        page = selectors.archive_page(**arguments, page=number, size=ARCHIVE_PAGE_SIZE)
    except selectors.BadCursor:
        return selectors.archive_page(**arguments, size=ARCHIVE_PAGE_SIZE), True
    if not page.questions and page.number and page.number > 1 and page.count:
        # Past the end (as Django's Paginator.get_page): the last page.
        last = min(page.last_number, -(-page.count // ARCHIVE_PAGE_SIZE))
        page = selectors.archive_page(**arguments, page=last, size=ARCHIVE_PAGE_SIZE)
    return page, False


@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    return archive_cache.serve(request, lambda: _archive_page(request, "qa/archive.html", {}))


@require_GET
def agency_page(request: HttpRequest, slug: str) -> HttpResponse:
    return archive_cache.serve(request, lambda: _agency_page(request, slug))


def _agency_page(request: HttpRequest, slug: str) -> HttpResponse:
    agencies = list(selectors.active_agencies())
    agency = next((a for a in agencies if a.slug == slug), None)
    if agency is None:
        # An agency merged, closed or renamed in a reorganisation: its old address leads to today's agency.
        successor = agency_for_old_slug(slug)
        if successor is None:
            raise Http404
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return HttpResponsePermanentRedirect(reverse("qa:agency", kwargs={"slug": successor.slug}) + query)
    sub_agencies = [a for a in agencies if a.parent_id == agency.pk]
    return _archive_page(
        request, "qa/agency.html", {"agency": agency, "sub_agencies": sub_agencies}, agencies=agencies, agency=agency
    )


@require_GET
def topic_page(request: HttpRequest, slug: str) -> HttpResponse:
    return archive_cache.serve(request, lambda: _topic_page(request, slug))


def _topic_page(request: HttpRequest, slug: str) -> HttpResponse:
    topics = list(selectors.active_topics())
    topic = next((t for t in topics if t.slug == slug), None)
    if topic is None:
        raise Http404
    return _archive_page(request, "qa/topic.html", {"topic": topic}, topics=topics, topic=topic)


def _count_cached_view(meta: dict | None) -> None:
    # A page served from the cache is still a page view (its shown count lags by the cache's seconds).
    if meta and meta.get("question_id"):
        question_view_record(question_id=meta["question_id"])


def _voter_key(request: HttpRequest) -> str | None:
    """Who votes: the user, or the browser's signed cookie; None for a visitor who never voted."""
    if request.user.is_authenticated:
        return f"u:{request.user.pk}"
    browser_id = request.get_signed_cookie(VOTER_COOKIE, default=None, salt=VOTER_COOKIE_SALT)
    return f"b:{browser_id}" if browser_id else None


@require_GET
def question_detail(request: HttpRequest, reference: str) -> HttpResponse:
    if request.GET.get("from") == "ask":
        # Opened from the ask form's suggestions: counted for "answered by the archive" (per day and topic).
        archive_answer_opened(request.session, selectors.public_question(reference))
    if VOTER_COOKIE in request.COOKIES:
        # A browser that has voted sees its vote and the count read fresh, never a cached copy with buttons.
        return _question_detail(request, reference)
    return archive_cache.serve(request, lambda: _question_detail(request, reference), on_hit=_count_cached_view)


def _question_detail(request: HttpRequest, reference: str) -> HttpResponse:
    question = selectors.public_question(reference, name_then=True)
    voter_key = _voter_key(request)
    # Views are counted in the cache; what the database holds lags by up to a batch, so add the pending part.
    pending_before = pending_views(question.pk)
    question_view_record(question_id=question.pk)
    context = {
        "question": question,
        "answer": getattr(question, "answer", None),
        "askers": selectors.group_size(question),
        "views": question.view_count + pending_before + 1,
        "similar": selectors.similar_questions(question.public_title, exclude_id=question.pk),
        "vote_form": HelpfulVoteForm(),
        "my_vote": selectors.helpful_vote_of(question, voter_key) if voter_key else None,
    }
    response = render(request, "qa/question_detail.html", context)
    response.cache_meta = {"question_id": question.pk}
    return response


@require_POST
def vote(request: HttpRequest, reference: str) -> HttpResponse:
    question = selectors.public_question(reference)
    form = HelpfulVoteForm(request.POST)
    new_cookie = None
    voter_key = _voter_key(request)
    if voter_key is None:
        new_cookie = secrets.token_urlsafe(18)
        voter_key = f"b:{new_cookie}"
    if not form.is_valid():
        messages.error(request, _("Choose “Yes” or “No”."))
    else:
        try:
            helpful_vote(
                question=question,
                voter_key=voter_key,
                helpful=form.cleaned_data["helpful"] == "yes",
                client_ip=client_ip(request),
            )
        except AlreadyVoted:
            messages.info(request, _("You have already told us whether this answer helped. Thank you!"))
        except RateLimited as exc:
            messages.error(request, str(exc.message))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you for your feedback."))
    response = redirect(question.get_absolute_url())
    if new_cookie:
        response.set_signed_cookie(
            VOTER_COOKIE,
            new_cookie,
            salt=VOTER_COOKIE_SALT,
            max_age=VOTER_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
