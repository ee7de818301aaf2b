"""Dialogue pages. Thin: parse input, call services and selectors, render.

Every page works without JavaScript (forms POST here and redirect back);
static/js/dialogues/live.js upgrades them to the live socket.
"""

import posixpath

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from core.client_ip import client_ip
from core.errors import DomainError
from core.forms import add_service_errors
from core.responses import error_message

from . import calendar, forms, identity, permissions, selectors, services, video, workflow
from .models import Announcement, LiveQuestion, LiveQuestionStatus, SessionStatus


def session_list(request: HttpRequest) -> HttpResponse:
    past = Paginator(selectors.sessions_past(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "dialogues/list.html",
        {"upcoming": list(selectors.sessions_upcoming()), "past": past},
    )


def _strings() -> dict:
    """Texts the page script needs, in the page's language."""
    return {
        "reconnecting": _("Connection lost. Reconnecting…"),
        "offline": _("You are offline. New questions appear when the connection returns."),
        "guest": _("Guest"),
        "vote": _("Vote"),
        "voted": _("Voted"),
        "votes": _("votes"),
        "answer": _("Answer"),
        "summary": _("summary of the spoken answer"),
        "sent": _("Thank you. Your question will appear once a moderator approves it."),
        "failed": _("That did not work. Please try again."),
        "done": _("Done."),
        "closed": _("Questions are not open right now."),
        "ended": _("This session has ended."),
        "question_status": {value: str(label) for value, label in LiveQuestionStatus.choices},
        "session_status": {value: str(label) for value, label in SessionStatus.choices},
    }


def _stream_context(request: HttpRequest, session, role: str) -> dict:
    """What the live pages share: the seq the page shows, the stream, and what this visitor voted for."""
    seq = session.last_seq  # read before the stream: events after it are replayed idempotently by the script
    voter = services.participant_key(request.user, identity.from_request(request))
    return {
        "session": session,
        "role": role,
        "seq": seq,
        "stream": selectors.stream(session),
        "voted": selectors.voted_question_ids(session, voter),
        "is_moderator": role == permissions.MODERATOR,
        "is_panelist": role == permissions.PANELIST,
        "socket_path": f"/ws/dialogues/{session.pk}/",
        "strings": _strings(),
    }


def _watch(request: HttpRequest, session, *, ask_form=None, remind_form=None, status: int = 200) -> HttpResponse:
    context = _stream_context(request, session, permissions.role_in(request.user, session))
    context.update(
        {
            "ask_form": ask_form or forms.AskForm(max_length=session.question_max_length),
            "remind_form": remind_form or forms.RemindForm(),
            "can_ask_as_guest": session.allow_guest_questions or request.user.is_authenticated,
        }
    )
    # The watcher page may frame the session's video: its hosts are added to this page's policy only.
    response = csp_replace(video.csp_sources())(render)(request, "dialogues/detail.html", context, status=status)
    identity.ensure(request, response)
    return response


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _watch(request, selectors.session_get(pk))


@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(pk)
    form = forms.AskForm(request.POST, max_length=session.question_max_length)
    if form.is_valid():
        try:
            services.live_question_ask(
                session_id=session.pk,
                actor=request.user,
                text=form.cleaned_data["text"],
                display_name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                browser_key=identity.from_request(request),
                client_ip=client_ip(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except (DomainError, PermissionDenied) as exc:
            form.add_error(None, error_message(exc))
        else:
            messages.success(request, _("Thank you. Your question will appear once a moderator approves it."))
            return redirect(session.get_absolute_url() + "#ask")
    return _watch(request, session, ask_form=form, status=400)


@require_POST
def vote(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    session = selectors.session_get(pk)
    if not LiveQuestion.objects.filter(pk=question_pk, session=session).exists():
        raise Http404("No such question")
    try:
        services.live_question_vote(
            question_id=question_pk, actor=request.user, browser_key=identity.from_request(request)
        )
    except (DomainError, PermissionDenied, ValidationError, ObjectDoesNotExist) as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("Your vote was counted."))
    return redirect(f"{session.get_absolute_url()}#q-{question_pk}")


@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(pk)
    form = forms.RemindForm(request.POST)
    if form.is_valid():
        try:
            services.subscription_create(
                session_id=session.pk,
                user=request.user,
                email=form.cleaned_data["email"] or "",
                language=getattr(request, "LANGUAGE_CODE", "vi"),
                client_ip=client_ip(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, error_message(exc))
        else:
            messages.success(request, _("We will remind you before the session starts."))
            return redirect(session.get_absolute_url())
    return _watch(request, session, remind_form=form, status=400)


def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(pk)
    response = HttpResponse(calendar.session_ics(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="doi-thoai-{session.pk}.ics"'
    return response


def transcript(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(pk)
    published = session.status == SessionStatus.TRANSCRIPT_PUBLISHED
    preview = session.status == SessionStatus.ENDED and permissions.can_moderate(request.user, session)
    if not (published or preview):
        raise Http404("The transcript is not published")
    return render(
        request,
        "dialogues/transcript.html",
        {
            "session": session,
            "preview": preview,
            "questions": selectors.transcript(session),
            "announcements": list(selectors.announcements(session)),
        },
    )


# Stored photos were re-encoded by qa.files and named by their type; nothing else is ever served.
PHOTO_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}


@require_GET
def announcement_photo(request: HttpRequest, pk: int, announcement_pk: int) -> FileResponse:
    """An announcement's photo, with the Content-Type of its checked type (no sniffing, no media root)."""
    session = selectors.session_get(pk)
    announcement = get_object_or_404(Announcement, pk=announcement_pk, session=session)
    content_type = PHOTO_TYPES.get(posixpath.splitext(announcement.photo.name or "")[1].lower())
    if content_type is None:
        raise Http404("No photo")
    response = FileResponse(announcement.photo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    # The stored name is random and never reused: the photo never changes.
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


# --- Moderator console and panelist view -------------------------------------------------------


def _staff_page(request: HttpRequest, pk: int, *, panel: bool):
    session = selectors.session_get(pk)
    if not request.user.is_authenticated:
        return session, redirect_to_login(request.get_full_path())
    check = permissions.can_answer if panel else permissions.can_moderate
    if not check(request.user, session):
        raise PermissionDenied(_("Only the moderators of the host agency can open this page."))
    return session, None


def _console(request: HttpRequest, session, *, failed: dict | None = None, status: int = 200) -> HttpResponse:
    context = _stream_context(request, session, permissions.MODERATOR)
    transitions = [
        (action, workflow.SESSION_TRANSITIONS[action].label) for action in workflow.available_session_actions(session)
    ]
    context.update(
        {
            "pending": list(selectors.pending_questions(session)),
            "panelists": list(session.panelists.all()),
            "transitions": transitions,
            "failed": failed or {},
            "video_form": forms.VideoForm(initial={"video_url": session.video_url}),
            "announcement_form": forms.AnnouncementForm(),
            "forward_form": forms.ForwardForm(initial={"topic": session.topic_id}),
            "forwardable": workflow.session_allows(session, "forward_questions"),
            "active": workflow.session_allows(session, "set_questions_open"),
        }
    )
    if failed and failed.get("form") is not None:
        context[failed["form_name"]] = failed["form"]
    return render(request, "dialogues/console.html", context, status=status)


def console(request: HttpRequest, pk: int) -> HttpResponse:
    session, login = _staff_page(request, pk, panel=False)
    return login or _console(request, session)


def panel(request: HttpRequest, pk: int, *, failed: dict | None = None, status: int = 200) -> HttpResponse:
    session, login = _staff_page(request, pk, panel=True)
    if login:
        return login
    context = _stream_context(request, session, permissions.role_in(request.user, session))
    context["failed"] = failed or {}
    return render(request, "dialogues/panel.html", context, status=status)


SESSION_ACTIONS = {
    "open": lambda request, pk: services.session_open(session_id=pk, actor=request.user),
    "start": lambda request, pk: services.session_start(session_id=pk, actor=request.user),
    "end": lambda request, pk: services.session_end(session_id=pk, actor=request.user),
    "publish_transcript": lambda request, pk: services.session_publish_transcript(session_id=pk, actor=request.user),
    "open_questions": lambda request, pk: services.session_set_questions_open(
        session_id=pk, actor=request.user, is_open=True
    ),
    "close_questions": lambda request, pk: services.session_set_questions_open(
        session_id=pk, actor=request.user, is_open=False
    ),
}

SUCCESS = {
    "open": gettext_lazy("The session is open for questions."),
    "start": gettext_lazy("The session is live."),
    "end": gettext_lazy("The session has ended."),
    "publish_transcript": gettext_lazy("The transcript is published."),
    "open_questions": gettext_lazy("Questions are open."),
    "close_questions": gettext_lazy("Questions are closed."),
    "video": gettext_lazy("The video was saved."),
    "announce": gettext_lazy("The announcement was posted."),
    "reorder": gettext_lazy("The order was saved."),
}


@require_POST
def console_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Session-level actions of the moderator console (no-JS path)."""
    session, login = _staff_page(request, pk, panel=False)
    if login:
        return login
    back = reverse("dialogues:console", kwargs={"pk": session.pk})
    form_name, form = None, None
    try:
        if action in SESSION_ACTIONS:
            SESSION_ACTIONS[action](request, session.pk)
        elif action == "video":
            form_name, form = "video_form", forms.VideoForm(request.POST)
            if not form.is_valid():
                return _console(request, session, failed={"form_name": form_name, "form": form}, status=400)
            url = form.cleaned_data["video_url"]
            services.session_set_video(session_id=session.pk, actor=request.user, video_url=url)
        elif action == "announce":
            form_name, form = "announcement_form", forms.AnnouncementForm(request.POST, request.FILES)
            if not form.is_valid():
                return _console(request, session, failed={"form_name": form_name, "form": form}, status=400)
            services.announcement_post(
                session_id=session.pk,
                actor=request.user,
                text=form.cleaned_data["text"],
                photo=form.cleaned_data["photo"],
                photo_alt=form.cleaned_data["photo_alt"],
            )
        elif action == "forward_all":
            form = forms.ForwardForm(request.POST)
            topic = form.cleaned_data["topic"] if form.is_valid() else None
            result = services.live_questions_forward_all(
                session_id=session.pk, actor=request.user, topic_id=topic.pk if topic else None
            )
            if result.sent:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d question was sent to the Q&A queue.",
                        "%(n)d questions were sent to the Q&A queue.",
                        len(result.sent),
                    )
                    % {"n": len(result.sent)},
                )
            for question_id, reason in result.skipped.items():
                text = _("Question #%(id)d was not sent: %(reason)s") % {"id": question_id, "reason": reason}
                messages.warning(request, text)
            return redirect(back)
        elif action == "reorder":
            form = forms.ReorderForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Invalid order."))
            services.live_question_reorder(session_id=session.pk, actor=request.user, order=form.cleaned_data["order"])
        else:
            raise Http404("Unknown action")
    except ValidationError as exc:
        if form is not None and form_name:
            add_service_errors(form, exc)
            return _console(request, session, failed={"form_name": form_name, "form": form}, status=400)
        messages.error(request, error_message(exc))
    except (DomainError, PermissionDenied, ObjectDoesNotExist) as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, SUCCESS[action])
    return redirect(back)


def _move(request, session, question_pk: int, step: int) -> None:
    waiting = [q.pk for q in selectors.public_questions(session) if q.status != LiveQuestionStatus.ANSWERED]
    if question_pk in waiting:
        index = waiting.index(question_pk)
        other = index + step
        if 0 <= other < len(waiting):
            waiting[index], waiting[other] = waiting[other], waiting[index]
    services.live_question_reorder(session_id=session.pk, actor=request.user, order=waiting)


@require_POST
def question_action(request: HttpRequest, pk: int, question_pk: int, action: str) -> HttpResponse:
    """Question actions of the console and the panelist view (no-JS path)."""
    from_panel = request.POST.get("from") == "panel"
    session, login = _staff_page(request, pk, panel=from_panel or action in ("answer", "answering"))
    if login:
        return login
    if not LiveQuestion.objects.filter(pk=question_pk, session=session).exists():
        raise Http404("No such question")
    back = reverse("dialogues:panel" if from_panel else "dialogues:console", kwargs={"pk": session.pk})
    post = request.POST
    done = {
        "approve": _("The question was approved."),
        "reject": _("The question was rejected."),
        "edit": _("The question was edited."),
        "answering": _("Marked as now answering."),
        "answer": _("The answer was published."),
        "mute": _("The participant was muted for the rest of the session."),
        "forward": _("The question was sent to the Q&A queue."),
        "move_up": _("The order was saved."),
        "move_down": _("The order was saved."),
    }
    if action not in done:
        raise Http404("Unknown action")
    try:
        if action == "approve":
            services.live_question_approve(question_id=question_pk, actor=request.user)
        elif action == "reject":
            services.live_question_reject(question_id=question_pk, actor=request.user, reason=post.get("reason", ""))
        elif action == "edit":
            services.live_question_edit(question_id=question_pk, actor=request.user, text=post.get("text", ""))
        elif action == "answering":
            services.live_question_mark_answering(question_id=question_pk, actor=request.user)
        elif action == "answer":
            panelist = post.get("panelist", "")
            services.live_question_answer(
                question_id=question_pk,
                actor=request.user,
                text=post.get("text", ""),
                kind=post.get("kind") or None,
                panelist_id=int(panelist) if panelist.isdigit() else None,
            )
        elif action == "mute":
            services.participant_mute(question_id=question_pk, actor=request.user, reason=post.get("reason", ""))
        elif action == "forward":
            topic = post.get("topic", "")
            services.live_question_forward(
                question_id=question_pk, actor=request.user, topic_id=int(topic) if topic.isdigit() else None
            )
        elif action in ("move_up", "move_down"):
            _move(request, session, question_pk, -1 if action == "move_up" else 1)
    except ValidationError as exc:
        failed = {"question": question_pk, "action": action, "text": post.get("text", ""), "errors": exc.messages}
        if from_panel:
            return panel(request, pk, failed=failed, status=400)
        return _console(request, session, failed=failed, status=400)
    except (DomainError, PermissionDenied, ObjectDoesNotExist) as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, done[action])
    return redirect(f"{back}#q-{question_pk}")
