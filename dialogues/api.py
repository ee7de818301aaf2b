"""REST API of live dialogues (/api/v1/dialogues/). Thin: parse, call a service or selector, render.

Errors are mapped in core.api.exception_handler: ValidationError → 400,
PermissionDenied → 403, TransitionNotAllowed → 409, RateLimited → 429.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Agency
from core.client_ip import client_ip
from core.parsers import LimitedJSONParser
from qa.models import Topic

from . import identity, payloads, permissions, selectors, services
from . import serializers as s
from .models import EventScope, LiveQuestion, LiveQuestionStatus

PUBLIC_TAG = ["dialogues"]
STAFF_TAG = ["dialogues-moderation"]
ERRORS = {400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT}


def _question_in_session(session_pk: int, question_pk: int) -> None:
    """A question id in the URL must belong to the session in the URL."""
    if not LiveQuestion.objects.filter(pk=question_pk, session_id=session_pk).exists():
        raise Http404("No such question in this session")


def _moderator_question(question: LiveQuestion) -> dict:
    return s.ModeratorQuestionOut(payloads.question_moderator_payload(question)).data


# --- Public -----------------------------------------------------------------------------------


class SessionListView(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=PUBLIC_TAG,
        summary="List sessions",
        parameters=[
            OpenApiParameter("when", str, enum=["upcoming", "past", "all"], description="Default: all, newest first.")
        ],
        responses=s.SessionOut(many=True),
    )
    def get(self, request):
        when = request.query_params.get("when", "all")
        queryset = {"upcoming": selectors.sessions_upcoming, "past": selectors.sessions_past}.get(
            when, selectors.sessions_all
        )()
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(s.SessionOut(page, many=True).data)

    @extend_schema(
        tags=STAFF_TAG,
        summary="Schedule a session (moderators of the host agency)",
        request=s.SessionCreateIn,
        responses={201: s.SessionOut, **ERRORS},
    )
    def post(self, request):
        if not request.user.is_authenticated:
            raise PermissionDenied(_("Log in to schedule a session."))
        data = s.SessionCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        agency = Agency.objects.filter(slug=values["agency"], is_active=True).first()
        if agency is None:
            return Response({"agency": ["Unknown agency."]}, status=status.HTTP_400_BAD_REQUEST)
        topic = Topic.objects.filter(slug=values["topic"]).first() if values["topic"] else None
        session = services.session_create(
            agency=agency,
            actor=request.user,
            title=values["title"],
            description=values["description"],
            topic=topic,
            scheduled_start=values["scheduled_start"],
            scheduled_end=values["scheduled_end"],
            panelists=[
                services.PanelistInput(name=p["name"], position=p["position"], user_id=p["user"])
                for p in values["panelists"]
            ],
            allow_questions_before_start=values["allow_questions_before_start"],
            allow_guest_questions=values["allow_guest_questions"],
            question_max_length=values["question_max_length"],
            video_url=values["video_url"],
        )
        return Response(s.SessionOut(selectors.session_get(session.pk)).data, status=status.HTTP_201_CREATED)


class SessionDetailView(APIView):
    @extend_schema(tags=PUBLIC_TAG, summary="A session", responses={200: s.SessionOut, 404: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        return Response(s.SessionOut(selectors.session_get(pk)).data)


class QuestionListView(APIView):
    @extend_schema(
        tags=PUBLIC_TAG,
        summary="Approved, current and answered questions",
        responses=s.QuestionOut(many=True),
    )
    def get(self, request, pk: int):
        session = selectors.session_get(pk)
        return Response(
            s.QuestionOut([payloads.question_payload(q) for q in selectors.public_questions(session)], many=True).data
        )

    @extend_schema(
        tags=PUBLIC_TAG,
        summary="Ask a question (it waits for a moderator)",
        request=s.AskIn,
        responses={201: s.AskOut, 429: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request, pk: int):
        data = s.AskIn(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.live_question_ask(
            session_id=selectors.session_get(pk).pk,
            actor=request.user,
            text=data.validated_data["text"],
            display_name=data.validated_data["name"],
            email=data.validated_data["email"],
            browser_key=identity.from_request(request),
            client_ip=client_ip(request),
        )
        return Response(s.AskOut({"id": question.pk, "status": question.status}).data, status=status.HTTP_201_CREATED)


class VoteView(APIView):
    @extend_schema(
        tags=PUBLIC_TAG,
        summary="Upvote a question (once per account or browser)",
        request=None,
        responses={200: s.VoteOut, 429: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request, pk: int, question_pk: int):
        _question_in_session(pk, question_pk)
        count = services.live_question_vote(
            question_id=question_pk, actor=request.user, browser_key=identity.from_request(request)
        )
        return Response(s.VoteOut({"question": question_pk, "votes": count}).data)


class EventListView(APIView):
    @extend_schema(
        tags=PUBLIC_TAG,
        summary="The session's events after a seq (the socket's stream over HTTP)",
        parameters=[
            OpenApiParameter("after", int, description="Last seq already seen (default 0)."),
            OpenApiParameter("limit", int, description="At most this many events (1–500, default 100)."),
            OpenApiParameter("scope", str, enum=["public", "moderators"], description="“moderators”: staff only."),
        ],
        responses={200: s.EventPageOut, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk: int):
        session = selectors.session_get(pk)
        try:
            after = max(int(request.query_params.get("after", 0)), 0)
            limit = min(max(int(request.query_params.get("limit", 100)), 1), 500)
        except ValueError:
            return Response({"after": [_("Must be a whole number.")]}, status=status.HTTP_400_BAD_REQUEST)
        scope = request.query_params.get("scope", EventScope.PUBLIC)
        if scope not in EventScope.values:
            return Response({"scope": ["Unknown scope."]}, status=status.HTTP_400_BAD_REQUEST)
        if scope == EventScope.MODERATORS and not permissions.can_moderate(request.user, session):
            raise PermissionDenied(_("Only moderators see these events."))
        events = selectors.events_after(session.pk, after, scope=scope, limit=limit + 1)
        current = session.last_seq if scope == EventScope.PUBLIC else session.last_mod_seq
        body = {
            "seq": current,
            "events": [payloads.event_dict(e) for e in events[:limit]],
            "more": len(events) > limit,
        }
        return Response(s.EventPageOut(body).data)


class SubscribeView(APIView):
    @extend_schema(
        tags=PUBLIC_TAG,
        summary="Remind me before the session (account, or an e-mail address for guests)",
        request=s.SubscribeIn,
        responses={201: s.SubscribeOut, 429: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request, pk: int):
        data = s.SubscribeIn(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_create(
            session_id=selectors.session_get(pk).pk,
            user=request.user,
            email=data.validated_data["email"],
            language=getattr(request, "LANGUAGE_CODE", "vi"),
            client_ip=client_ip(request),
        )
        return Response(s.SubscribeOut(subscription).data, status=status.HTTP_201_CREATED)


# --- Staff: moderation ---------------------------------------------------------------------------


class ModerationQuestionListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=STAFF_TAG,
        summary="Every question of the session, with originals (moderators)",
        parameters=[OpenApiParameter("status", str, enum=LiveQuestionStatus.values)],
        responses={200: s.ModeratorQuestionOut(many=True), 403: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk: int):
        session = selectors.session_get(pk)
        if not permissions.can_moderate(request.user, session):
            raise PermissionDenied(_("Only the moderators of the host agency see this."))
        questions = selectors.moderation_questions(session, request.query_params.get("status") or None)
        data = [payloads.question_moderator_payload(q, muted=q.asker_muted) for q in questions]
        return Response(s.ModeratorQuestionOut(data, many=True).data)


def _question_action_view(name: str, summary: str, request_serializer, call, response=s.ModeratorQuestionOut):
    """One POST endpoint per question action, so each has its own exact schema."""

    class QuestionActionView(APIView):
        permission_classes = [IsAuthenticated]

        @extend_schema(tags=STAFF_TAG, summary=summary, request=request_serializer, responses={200: response, **ERRORS})
        def post(self, request, pk: int, question_pk: int):
            _question_in_session(pk, question_pk)
            values = {}
            if request_serializer is not None:
                data = request_serializer(data=request.data)
                data.is_valid(raise_exception=True)
                values = data.validated_data
            return Response(call(request.user, question_pk, values))

    QuestionActionView.__name__ = QuestionActionView.__qualname__ = f"Question{name}View"
    return QuestionActionView


QuestionApproveView = _question_action_view(
    "Approve",
    "Approve a pending question",
    None,
    lambda user, qid, v: _moderator_question(services.live_question_approve(question_id=qid, actor=user)),
)
QuestionRejectView = _question_action_view(
    "Reject",
    "Reject a question",
    s.ReasonIn,
    lambda user, qid, v: _moderator_question(
        services.live_question_reject(question_id=qid, actor=user, reason=v["reason"])
    ),
)
QuestionEditView = _question_action_view(
    "Edit",
    "Edit the public text of a question",
    s.TextIn,
    lambda user, qid, v: _moderator_question(services.live_question_edit(question_id=qid, actor=user, text=v["text"])),
)
QuestionAnsweringView = _question_action_view(
    "Answering",
    "Mark a question “now answering”",
    None,
    lambda user, qid, v: _moderator_question(services.live_question_mark_answering(question_id=qid, actor=user)),
)
QuestionAnswerView = _question_action_view(
    "Answer",
    "Publish the answer (a panelist's typed answer or a moderator's summary)",
    s.AnswerIn,
    lambda user, qid, v: _moderator_question(
        services.live_question_answer(
            question_id=qid, actor=user, text=v["text"], kind=v["kind"], panelist_id=v["panelist"]
        )
    ),
)


def _mute(user, question_id: int, values: dict) -> dict:
    services.participant_mute(question_id=question_id, actor=user, reason=values["reason"])
    question = LiveQuestion.objects.select_related("answered_by_panelist").get(pk=question_id)
    return s.ModeratorQuestionOut(payloads.question_moderator_payload(question, muted=True)).data


QuestionMuteView = _question_action_view("Mute", "Mute the asker for the rest of the session", s.ReasonIn, _mute)
QuestionForwardView = _question_action_view(
    "Forward",
    "Send an unanswered question into the agency's Q&A queue",
    s.ForwardIn,
    lambda user, qid, v: (
        s.ForwardOut(
            {"reference": services.live_question_forward(question_id=qid, actor=user, topic_id=v["topic"]).reference}
        ).data
    ),
    response=s.ForwardOut,
)


def _session_action_view(name: str, summary: str, call, request_serializer=None, response=s.SessionStateOut):
    class SessionActionView(APIView):
        permission_classes = [IsAuthenticated]
        parser_classes = [LimitedJSONParser, FormParser, MultiPartParser]

        @extend_schema(tags=STAFF_TAG, summary=summary, request=request_serializer, responses={200: response, **ERRORS})
        def post(self, request, pk: int):
            session = selectors.session_get(pk)
            values = {}
            if request_serializer is not None:
                data = request_serializer(data=request.data)
                data.is_valid(raise_exception=True)
                values = data.validated_data
            return Response(call(request.user, session.pk, values))

    SessionActionView.__name__ = SessionActionView.__qualname__ = f"Session{name}View"
    return SessionActionView


def _state(session) -> dict:
    return s.SessionStateOut(payloads.session_payload(session)).data


SessionOpenView = _session_action_view(
    "Open",
    "Open for questions before the start",
    lambda u, pk, v: _state(services.session_open(session_id=pk, actor=u)),
)
SessionStartView = _session_action_view(
    "Start", "Start the session (live)", lambda u, pk, v: _state(services.session_start(session_id=pk, actor=u))
)
SessionEndView = _session_action_view(
    "End", "End the session", lambda u, pk, v: _state(services.session_end(session_id=pk, actor=u))
)
SessionPublishTranscriptView = _session_action_view(
    "PublishTranscript",
    "Publish the transcript",
    lambda u, pk, v: _state(services.session_publish_transcript(session_id=pk, actor=u)),
)
SessionOpenQuestionsView = _session_action_view(
    "OpenQuestions",
    "Open the ask box",
    lambda u, pk, v: _state(services.session_set_questions_open(session_id=pk, actor=u, is_open=True)),
)
SessionCloseQuestionsView = _session_action_view(
    "CloseQuestions",
    "Close the ask box",
    lambda u, pk, v: _state(services.session_set_questions_open(session_id=pk, actor=u, is_open=False)),
)
SessionVideoView = _session_action_view(
    "Video",
    "Set or clear the live video (HLS .m3u8 or an allowed platform's embed address)",
    lambda u, pk, v: _state(services.session_set_video(session_id=pk, actor=u, video_url=v["video_url"])),
    request_serializer=s.VideoIn,
)
SessionReorderView = _session_action_view(
    "Reorder",
    "Order the waiting questions",
    lambda u, pk, v: (
        s.ReorderOut({"order": services.live_question_reorder(session_id=pk, actor=u, order=v["order"])}).data
    ),
    request_serializer=s.ReorderIn,
    response=s.ReorderOut,
)
SessionForwardAllView = _session_action_view(
    "ForwardAll",
    "Send every unanswered approved question into the agency's Q&A queue",
    lambda u, pk, v: (
        s.ForwardAllOut(services.live_questions_forward_all(session_id=pk, actor=u, topic_id=v["topic"]).__dict__).data
    ),
    request_serializer=s.ForwardIn,
    response=s.ForwardAllOut,
)
AnnouncementCreateView = _session_action_view(
    "Announce",
    "Post an announcement (optional JPEG/PNG photo, multipart)",
    lambda u, pk, v: (
        s.AnnouncementOut(
            payloads.announcement_payload(
                services.announcement_post(
                    session_id=pk, actor=u, text=v["text"], photo=v["photo"], photo_alt=v["photo_alt"]
                )
            )
        ).data
    ),
    request_serializer=s.AnnouncementIn,
    response=s.AnnouncementOut,
)
