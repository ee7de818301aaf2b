"""The staff API under /api/v1/staff/: the queue, one question, transitions, the answer draft, notes.

Thin views: they check that the caller works for the question's agency (404, as for an unknown
reference, before reading any input), parse input with qa.staff.serializers and
call the services, which check roles and states again under a row lock.
Errors map in core.api.exception_handler: TransitionNotAllowed → 409 with the
current state, ValidationError → 400 per field, PermissionDenied → 403.
Token authentication comes first so an anonymous call gets 401 with a challenge.
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from accounts import permissions as account_permissions
from accounts.models import Agency
from core.api import ErrorSerializer

from .. import places, services, workflow
from ..deadlines import DeadlineClock
from ..files import download_name
from ..models import Attachment, PersonalDataAccess, Question
from ..permissions import staff_roles
from ..services.answers import StaleAnswer
from . import duplicates
from . import selectors as staff_selectors
from .selectors import QueueFilters
from .serializers import (
    TRANSITION_INPUTS,
    AnswerSaveInput,
    AnswerTemplateSerializer,
    DuplicateSerializer,
    GroupSerializer,
    NoteInput,
    NoteSerializer,
    QueueQuerySerializer,
    StaffAnswerSerializer,
    StaffQuestionDetailSerializer,
    StaffQuestionListSerializer,
    StaffQueuePageSerializer,
    StaffTransitionResultSerializer,
    StaffUserSerializer,
    StaleAnswerErrorSerializer,
    TransitionErrorSerializer,
    answer_payload,
)

TAG = "staff"
REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="The reference code, e.g. HP-SNNMT-2026-000123."
)
UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="Not logged in (session) and no valid token.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="No role in this question's agency, or the role may not.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No question with this reference code.")
CONFLICT = OpenApiResponse(
    TransitionErrorSerializer,
    description="Not possible in the current state, or the question changed since you saw it.",
)


class IsAgencyStaff(BasePermission):
    """Holds a role in at least one active agency; per-question checks follow in the view and the services."""

    message = _("This API is for agency staff.")

    def has_permission(self, request, view) -> bool:
        return account_permissions.is_agency_staff(request.user)


class StaffApi(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsAgencyStaff]


def _question_for_staff(request: Request, reference: str) -> Question:
    """404 for an unknown (or unconfirmed) reference and for another agency's question alike.

    The same answer for both, so a staff member cannot learn which references exist elsewhere.
    """
    question = Question.objects.select_related("agency").filter(reference=reference).first()
    if question is None or question.status == "unverified" or not staff_roles(request.user, question):
        raise Http404
    return question


def _detail_data(request: Request, reference: str) -> dict:
    clock = DeadlineClock.for_today()
    detail = staff_selectors.staff_question(user=request.user, reference=reference, clock=clock)
    if detail.contact is not None and detail.contact.erased_at is None:
        services.personal_data_accessed(
            user=request.user, questions=[detail.question], surface=PersonalDataAccess.Surface.STAFF_API
        )
    context = {"detail": detail, "clock": clock, "reference": reference, "request": request}
    return StaffQuestionDetailSerializer(detail.question, context=context).data


def _page_link(request: Request, number: int) -> str:
    url = request.build_absolute_uri()
    return remove_query_param(url, "page") if number == 1 else replace_query_param(url, "page", number)


class StaffQueueApi(StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="The queue of your agencies",
        operation_id="staff_questions_list",
        parameters=[QueueQuerySerializer],
        responses={
            200: StaffQueuePageSerializer,
            400: OpenApiResponse(description="Bad filter, per field (an agency you are not on the staff of too)."),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        query = QueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if params.get("agency") and params["agency"] not in account_permissions.agency_ids_for(request.user):
            # As the panel's filter, which offers only the user's agencies: a field error, never another queue.
            raise DrfValidationError({"agency": [_("You are not on the staff of this agency.")]})
        place_ids: tuple[int, ...] = ()
        if code := params.get("place"):
            unit = places.unit_by_code(code)
            if unit is None:
                raise DrfValidationError(
                    {
                        "place": [
                            _("There is no commune, ward or special zone with the code “%(code)s”.") % {"code": code}
                        ]
                    }
                )
            place_ids = places.unit_and_predecessors(unit.pk)
        filters = QueueFilters(
            agency_ids=(params["agency"],) if params.get("agency") else (),
            place_ids=place_ids,
            topic_id=params.get("topic"),
            assignee=params.get("assignee"),
            due=params.get("due", ""),
            date_from=params.get("date_from"),
            date_to=params.get("date_to"),
            search=params.get("q", ""),
        )
        clock = DeadlineClock.for_today()
        tabs = staff_selectors.staff_queue_counts(user=request.user, filters=filters, clock=clock, tab=params["tab"])
        try:
            page = staff_selectors.staff_queue_page(
                user=request.user,
                tab=params["tab"],
                filters=filters,
                ordering=params["ordering"],
                clock=clock,
                counts=tabs,
                number=params["page"],
                page_size=params["page_size"],
                clamp=False,
            )
        except staff_selectors.PageOutOfRange:
            raise NotFound(_("Invalid page.")) from None
        if page.rows and staff_selectors.searches_contact(filters.search):
            services.personal_data_accessed(
                user=request.user, questions=page.rows, surface=PersonalDataAccess.Surface.SEARCH
            )
        return Response(
            {
                "count": page.count,
                "count_exact": page.count_exact,
                "next": _page_link(request, page.number + 1) if page.has_next else None,
                "previous": _page_link(request, page.number - 1) if page.has_previous else None,
                "tabs": tabs,
                "tabs_capped": sorted(tabs.over_cap),
                "results": StaffQuestionListSerializer(page.rows, many=True, context={"clock": clock}).data,
            }
        )


class StaffQuestionApi(StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="One question with contact, timeline, notes, answer and the actions you may take",
        operation_id="staff_question_retrieve",
        parameters=[REFERENCE],
        responses={200: StaffQuestionDetailSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, reference: str) -> Response:
        return Response(_detail_data(request, reference))


TRANSITION_REQUEST = PolymorphicProxySerializer(
    component_name="StaffTransition",
    serializers=dict(TRANSITION_INPUTS),
    resource_type_field_name="action",
)


def _run_transition(actor, question: Question, action: str, data: dict) -> Question:
    """Call the service named after the action with the validated input; return the question as it is now."""
    common = {"actor": actor, "question": question, "expected_version": data.get("expected_version")}
    if action == "accept":
        return services.question_accept(**common, assignee=data.get("assignee"), note=data.get("note", ""))
    elif action == "reject":
        return services.question_reject(
            **common,
            reason=data["reason"],
            message=data["message"],
            duplicate_of=data.get("duplicate_of") or None,
            internal_note=data.get("internal_note", ""),
        )
    elif action == "transfer":
        return services.question_transfer(
            **common,
            to_agency=Agency.objects.filter(pk=data["agency"]).first() or data["agency"],
            reason=data["reason"],
            internal_note=data.get("internal_note", ""),
        )
    elif action == "request_information":
        return services.question_request_information(**common, message=data["message"])
    elif action == "assign":
        return services.question_assign(**common, assignee=data["assignee"], note=data.get("note", ""))
    elif action == "submit_for_review":
        return services.answer_submit_for_review(**common, note=data.get("note", ""))
    elif action == "approve":
        return services.answer_approve(**common, note=data.get("note", ""))
    elif action == "return":
        return services.answer_return(**common, comment=data["comment"])
    elif action == "send":
        return services.answer_send(**common, signed_by=data.get("signed_by") or None)
    elif action == "publish":
        return services.question_publish(
            **common,
            public_title=data["public_title"],
            public_body=data["public_body"],
            confirmed_findings=data.get("confirmed_findings", []),
        )
    elif action == "edit_public":
        return services.question_public_version_save(
            **common,
            public_title=data["public_title"],
            public_body=data["public_body"],
            confirmed_findings=data.get("confirmed_findings", []),
        )
    elif action == "unpublish":
        return services.question_unpublish(**common, reason=data.get("reason", ""), category=data.get("category", ""))
    elif action == "answer_by_reference":
        return services.question_answer_by_reference(
            **common, answer_reference=data["answer_reference"], note=data.get("note", "")
        )
    elif action == "merge":
        return services.group_merge(**common, references=data["references"], note=data.get("note", ""))
    elif action == "leave_group":
        return services.group_leave(**common, note=data.get("note", ""))
    else:  # TRANSITION_INPUTS and this dispatch list the same actions
        raise AssertionError(action)


class StaffTransitionApi(StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="Move the question: accept, reject, transfer, request_information, assign, submit_for_review, "
        "approve, return, send, publish, unpublish, edit_public, answer_by_reference, merge, leave_group",
        description="The body's `action` picks the shape of the rest. Returns what happened and the question as it "
        "is now (null after a transfer takes it out of your agencies).",
        operation_id="staff_question_transition",
        parameters=[REFERENCE],
        request=TRANSITION_REQUEST,
        responses={
            200: StaffTransitionResultSerializer,
            400: OpenApiResponse(description="Bad input: a message per field."),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        question = _question_for_staff(request, reference)
        action = request.data.get("action") if hasattr(request.data, "get") else None
        serializer_class = TRANSITION_INPUTS.get(action) if isinstance(action, str) else None
        if serializer_class is None:
            raise DrfValidationError({"action": [_("Choose one of: %s.") % ", ".join(TRANSITION_INPUTS)]})
        # A role that may never make this move is told so before its input is judged.
        roles = account_permissions.roles_in(request.user, question.agency_id)
        if not workflow.TRANSITIONS[action].roles & roles:
            raise PermissionDenied(
                _("Your role does not allow “%(action)s”.") % {"action": workflow.TRANSITIONS[action].label}
            )
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved = _run_transition(request.user, question, action, serializer.validated_data)
        visible = bool(account_permissions.roles_in(request.user, moved.agency_id))
        return Response(
            {
                "action": action,
                "reference": moved.reference,
                "status": moved.status,
                "version": moved.version,
                "agency": {"id": moved.agency.pk, "code": moved.agency.code, "name": moved.agency.name},
                "question": _detail_data(request, reference) if visible else None,
            }
        )


class StaffAnswerApi(StaffApi):
    def _payload(self, request: Request, reference: str) -> dict:
        detail = staff_selectors.staff_question(user=request.user, reference=reference)
        return answer_payload(detail, {"reference": reference, "request": request})

    @extend_schema(
        tags=[TAG],
        summary="The answer draft (version 0 when none was saved)",
        operation_id="staff_answer_retrieve",
        parameters=[REFERENCE],
        responses={200: StaffAnswerSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, reference: str) -> Response:
        _question_for_staff(request, reference)
        return Response(self._payload(request, reference))

    @extend_schema(
        tags=[TAG],
        summary="Save the answer draft as a new revision",
        operation_id="staff_answer_save",
        description="Send the version you edited. If someone saved in between, nothing is saved and the 409 "
        "carries their version, so you can merge.",
        parameters=[REFERENCE],
        request=AnswerSaveInput,
        responses={
            200: StaffAnswerSerializer,
            400: OpenApiResponse(description="Bad input: a message per field."),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(StaleAnswerErrorSerializer, description="A newer version exists, or wrong state."),
        },
    )
    def put(self, request: Request, reference: str) -> Response:
        question = _question_for_staff(request, reference)
        serializer = AnswerSaveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.answer_draft_save(
                actor=request.user,
                question=question,
                body=data["body"],
                expected_version=data["version"] or None,
                signed_by=data.get("signed_by"),
            )
        except StaleAnswer as stale:
            return Response(
                {
                    "detail": str(stale.message),
                    "code": stale.code,
                    "current_state": stale.current_state,
                    "current_version": stale.current_version,
                    "current_body": stale.current_body,
                    "current_author": stale.current_author,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(self._payload(request, reference))


class StaffNotesApi(StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="Internal notes (staff of the agency only)",
        operation_id="staff_notes_list",
        parameters=[REFERENCE],
        responses={200: NoteSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, reference: str) -> Response:
        question = _question_for_staff(request, reference)
        notes = question.internal_notes.select_related("author").order_by("created_at", "id")
        return Response(NoteSerializer(notes, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Add an internal note",
        operation_id="staff_notes_create",
        parameters=[REFERENCE],
        request=NoteInput,
        responses={
            201: NoteSerializer,
            400: OpenApiResponse(description="Bad input: a message per field."),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        question = _question_for_staff(request, reference)
        serializer = NoteInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.internal_note_add(actor=request.user, question=question, body=serializer.validated_data["body"])
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class StaffAnswerTemplatesApi(StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="Answer templates of the question's agency (its topic first)",
        operation_id="staff_answer_templates_list",
        parameters=[REFERENCE],
        responses={200: AnswerTemplateSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, reference: str) -> Response:
        question = _question_for_staff(request, reference)
        templates = staff_selectors.answer_templates_for(question).select_related("topic")
        return Response(AnswerTemplateSerializer(templates, many=True).data)


class StaffDuplicatesApi(StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="Likely duplicates: open questions of every agency and published answers, best match first",
        description="Another agency's question (`full_view` false) shows only its reference, agency, status and "
        "public title. Act on one with the transitions `answer_by_reference` (a published one) or `merge`.",
        operation_id="staff_duplicates_list",
        parameters=[REFERENCE],
        responses={200: DuplicateSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, reference: str) -> Response:
        question = _question_for_staff(request, reference)
        found = duplicates.likely_duplicates(user=request.user, question=question)
        return Response(DuplicateSerializer(found, many=True).data)


class StaffGroupApi(StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="The question's group: id, primary and members' reference codes (404 when in no group)",
        description="Merge with the transition `merge` on the primary (`references`), leave with `leave_group` on a "
        "member; both answer 409 for an illegal move.",
        operation_id="staff_group_detail",
        parameters=[REFERENCE],
        responses={200: GroupSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, reference: str) -> Response:
        question = _question_for_staff(request, reference)
        group = duplicates.group_of(question)
        if group is None:
            raise NotFound(_("This question is in no group."))
        return Response(GroupSerializer(group).data)


class StaffAssigneesApi(StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="Who can be assigned this question",
        operation_id="staff_assignees_list",
        parameters=[REFERENCE],
        responses={200: StaffUserSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, reference: str) -> Response:
        question = _question_for_staff(request, reference)
        return Response(StaffUserSerializer(staff_selectors.assignable_users(question.agency_id), many=True).data)


class StaffAttachmentApi(StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="Download a file of the question, a reply or the answer",
        operation_id="staff_attachment_download",
        parameters=[REFERENCE, OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, reference: str, attachment_id: int):
        question = _question_for_staff(request, reference)
        attachment = get_object_or_404(Attachment, pk=attachment_id, question=question)
        if attachment.purpose != Attachment.Purpose.ANSWER:
            services.personal_data_accessed(
                user=request.user, questions=[question], surface=PersonalDataAccess.Surface.ATTACHMENT
            )
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=download_name(attachment.original_name, attachment.content_type),
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
