"""Public REST API of the Q&A: the archive, asking, similar questions, tracking, agencies and topics.

Thin views: they parse input, call qa.selectors / qa.services and shape output
with qa.serializers. Domain errors become HTTP in core.api.exception_handler
(ValidationError → 400 per field, RateLimited → 429 with Retry-After).
"""

from django.conf import settings
from django.http import Http404
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiRequest,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from accounts import ratelimit
from core.api import ErrorSerializer
from core.client_ip import client_ip
from core.parsers import LimitedJSONParser

from . import cache as archive_cache
from . import places, selectors, services
from .filters import SEARCH_MAX_LENGTH, ArchiveFilterSet
from .models import Channel, Question, QuestionStatus
from .routing import suggest
from .serializers import (
    CONFIRM_MESSAGE,
    CONFIRM_PHONE_MESSAGE,
    SUBMITTED_MESSAGE,
    AgencySerializer,
    ArchiveFilterErrorSerializer,
    PhoneCodeSerializer,
    PhoneConfirmedSerializer,
    PlaceSerializer,
    PublicQuestionDetailSerializer,
    PublicQuestionSerializer,
    QuestionSubmitErrorSerializer,
    QuestionSubmitMultipartSerializer,
    QuestionSubmitSerializer,
    QuestionSubmittedSerializer,
    RoutingSuggestionSerializer,
    SimilarQuestionSerializer,
    TopicSerializer,
    TrackedQuestionSerializer,
)
from .services import question_submit
from .services.phone import phone_code_confirm
from .services.submission import submission_targets

TAG = "questions"
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such published question.")
RATE_LIMITED = OpenApiResponse(ErrorSerializer, description="Too many questions from this address or e-mail.")
REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="The reference code, e.g. HP-SNNMT-2026-000123."
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before asking again.",
)


ARCHIVE_PAGE_SIZE = 20
ARCHIVE_MAX_PAGE_SIZE = 100


@extend_schema_serializer(many=False)  # the page object itself, not a list of pages (the view is a list view)
class ArchivePageSerializer(serializers.Serializer):
    """One page of the archive: numbered pages for the first rows, then a cursor (keyset) to every later one."""

    count = serializers.IntegerField(help_text="How many questions match: exact, or an estimate (count_estimated).")
    count_estimated = serializers.BooleanField(help_text="True when count is the database's estimate (large counts).")
    next = serializers.URLField(allow_null=True, help_text="The next page: ?page=N while numbers reach, then ?cursor=.")
    previous = serializers.URLField(allow_null=True, help_text="The previous numbered page (none after a cursor).")
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as `cursor` for the rows after this page.")
    results = PublicQuestionSerializer(many=True)


def _positive_int(value: str | None, default: int) -> int | None:
    """A page or page size from the query string: `default` when absent, None when not a positive integer."""
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number >= 1 else None


class _CachedForAnonymous:
    """Anonymous GETs answered from the archive cache (qa.cache) before DRF's machinery runs.

    A hit skips authentication, content negotiation and the serializer: it is
    what lets the list API keep up with a spike. No DRF throttle applies to
    these views, so none is skipped.
    """

    def dispatch(self, request, *args, **kwargs):
        dispatch = super().dispatch
        return archive_cache.serve(request, lambda: dispatch(request, *args, **kwargs), api=True)


class QuestionCollectionApi(_CachedForAnonymous, generics.ListAPIView):
    """GET: the public archive. POST: ask a question."""

    serializer_class = PublicQuestionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ArchiveFilterSet
    pagination_class = None
    parser_classes = [LimitedJSONParser, MultiPartParser]

    def get_queryset(self):
        return selectors.published_questions()

    @extend_schema(
        tags=[TAG],
        summary="Search and list published questions",
        description=(
            "Published questions only, in their public (redacted) version, 20 a page. `search` ignores accents and "
            'case ("hoi dap dat dai" finds "hỏi đáp đất đai"); with a search the default order is relevance, '
            "otherwise newest. A bad parameter is a 400 with a message for that parameter."
        ),
        parameters=[
            OpenApiParameter(
                "page", OpenApiTypes.INT, description="Page number, for the first 200 rows (10 pages of 20)."
            ),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Questions a page, 1 to 100 (default 20)."),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="`next_cursor` of the page before: any depth."),
        ],
        responses={
            200: ArchivePageSerializer,
            400: OpenApiResponse(ArchiveFilterErrorSerializer, description="A query parameter is not valid."),
            404: OpenApiResponse(ErrorSerializer, description="The page number is past the numbered pages."),
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args, **kwargs) -> Response:
        filterset = ArchiveFilterSet(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        page_number = _positive_int(request.query_params.get("page"), 1)
        if page_number is None:
            raise NotFound(_("Invalid page."))
        # A page size that is not a positive integer is ignored, as DRF's paginators do.
        requested = _positive_int(request.query_params.get("page_size"), ARCHIVE_PAGE_SIZE) or ARCHIVE_PAGE_SIZE
        size = min(requested, ARCHIVE_MAX_PAGE_SIZE)
        cursor = request.query_params.get("cursor") or None
        try:
            page = selectors.archive_page(**filterset.archive_arguments(), page=page_number, cursor=cursor, size=size)
        except selectors.PageOutOfRange:
            raise NotFound(
                _("Page numbers reach the first %(rows)s questions; use next_cursor to go further.")
                % {"rows": selectors.MAX_NUMBERED_ROWS}
            ) from None
        except selectors.BadCursor:
            raise serializers.ValidationError({"cursor": [_("This cursor is not valid for this order.")]}) from None
        if not page.questions and page.number is not None and page.number > 1:
            raise NotFound(_("Invalid page."))
        url = request.build_absolute_uri()
        next_url = None
        if page.next_number is not None:
            next_url = replace_query_param(remove_query_param(url, "cursor"), "page", page.next_number)
        elif page.next_cursor is not None:
            next_url = replace_query_param(remove_query_param(url, "page"), "cursor", page.next_cursor)
        previous_url = None
        if page.number is not None and page.number > 1:
            previous_url = replace_query_param(url, "page", page.number - 1)
        return Response(
            {
                "count": page.count,
                "count_estimated": page.count_estimated,
                "next": next_url,
                "previous": previous_url,
                "next_cursor": page.next_cursor,
                "results": self.get_serializer(page.questions, many=True).data,
            }
        )

    @extend_schema(
        tags=[TAG],
        summary="Ask a question",
        description=(
            "Send JSON, or multipart/form-data with up to 5 files in `attachments`. A guest's question waits for "
            "the e-mail confirmation; a logged-in user whose verified e-mail matches goes straight to the agency "
            "and gets `tracking_url`. Session-authenticated requests need the CSRF token; anonymous and "
            "token-authenticated ones do not."
        ),
        request={
            "application/json": QuestionSubmitSerializer,
            "multipart/form-data": OpenApiRequest(QuestionSubmitMultipartSerializer),
        },
        responses={
            201: QuestionSubmittedSerializer,
            400: OpenApiResponse(QuestionSubmitErrorSerializer, description="Messages per field."),
            403: OpenApiResponse(ErrorSerializer, description="CSRF check failed (session authentication)."),
            429: RATE_LIMITED,
        },
        parameters=[RETRY_AFTER],
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = QuestionSubmitMultipartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user if request.user.is_authenticated else None
        agency, topic = submission_targets(data["agency"], data["topic"])
        question = question_submit(
            agency=agency,
            topic=topic,
            title=data["title"],
            body=data["body"],
            asker_type=data["asker_type"],
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            address=data["address"],
            place=data["place"],
            organisation_name=data["organisation_name"],
            tax_code=data["tax_code"],
            consent_to_publish=data["consent_to_publish"],
            attachments=data["attachments"],
            user=user,
            channel=Channel.API,
            language=get_language() or "",
            client_ip=client_ip(request),
        )
        result = {"reference": question.reference, "status": question.status}
        if question.status == QuestionStatus.SUBMITTED:
            result["message"] = str(SUBMITTED_MESSAGE)
            result["tracking_url"] = request.build_absolute_uri(question.tracking_path())
        elif question.contact.email:
            result["message"] = str(CONFIRM_MESSAGE)
        else:
            result["message"] = str(CONFIRM_PHONE_MESSAGE)
        return Response(QuestionSubmittedSerializer(result).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=[TAG],
    summary="Confirm a phone-only question with the code sent by SMS",
    description=(
        "A question asked with a mobile number and no e-mail waits for the 6-digit code sent by SMS. "
        "Each code allows a few tries and expires after 10 minutes; a wrong code is a 400."
    ),
    parameters=[REFERENCE],
    request=PhoneCodeSerializer,
    responses={
        200: PhoneConfirmedSerializer,
        # 400 (a wrong or expired code, or a malformed body) comes from core.api's common error responses.
        404: OpenApiResponse(ErrorSerializer, description="No question waits for a code under this reference."),
    },
)
class PhoneConfirmApi(APIView):
    parser_classes = [LimitedJSONParser]

    def post(self, request: Request, reference: str) -> Response:
        serializer = PhoneCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = (
            Question.objects.filter(reference=reference, contact__email="")
            .exclude(contact__phone="")
            .select_related("contact")
            .first()
        )
        if question is None:
            raise Http404
        question = phone_code_confirm(question=question, code=serializer.validated_data["code"])
        result = {
            "reference": question.reference,
            "status": question.status,
            "tracking_url": request.build_absolute_uri(question.tracking_path()),
        }
        return Response(PhoneConfirmedSerializer(result).data)


@extend_schema(
    tags=[TAG],
    summary="A published question with its answer",
    parameters=[REFERENCE],
    responses={200: PublicQuestionDetailSerializer, 404: NOT_FOUND},
)
class QuestionDetailApi(_CachedForAnonymous, generics.RetrieveAPIView):
    serializer_class = PublicQuestionDetailSerializer
    queryset = selectors.published_questions()
    lookup_field = "reference"

    def get_object(self):
        return selectors.public_question(self.kwargs["reference"])


@extend_schema(
    tags=[TAG],
    summary="Published questions similar to a text",
    description="Up to 5 published questions sharing words with `q`, accents ignored; shown while a citizen types.",
    parameters=[
        OpenApiParameter(
            "q", OpenApiTypes.STR, OpenApiParameter.QUERY, description="The text typed so far (e.g. a title)."
        )
    ],
    responses={200: SimilarQuestionSerializer(many=True)},
)
class SimilarQuestionsApi(APIView):
    def get(self, request: Request) -> Response:
        query = (request.query_params.get("q") or "")[:SEARCH_MAX_LENGTH]
        questions = selectors.similar_questions(query, limit=5)
        return Response(SimilarQuestionSerializer(questions, many=True, context={"request": request}).data)


@extend_schema(
    tags=[TAG],
    summary="Suggest the agency and topic of a question",
    description=(
        "Up to 3 agencies and 3 topics, most likely first, learnt from the agencies that answered past questions "
        "(qa.routing; docs/intake.md). Empty lists, not an error, for an empty or one-word text, with too little "
        "history, or before a model is trained. Text longer than the ask form's limits is cut to them. "
        "`confident`: the first agency may be preselected. Rate-limited per client address."
    ),
    parameters=[
        OpenApiParameter("title", OpenApiTypes.STR, OpenApiParameter.QUERY, description="The title typed so far."),
        OpenApiParameter("body", OpenApiTypes.STR, OpenApiParameter.QUERY, description="The question typed so far."),
        RETRY_AFTER,
    ],
    responses={
        200: RoutingSuggestionSerializer,
        429: OpenApiResponse(ErrorSerializer, description="Too many requests from this address."),
    },
)
class SuggestRoutingApi(APIView):
    def get(self, request: Request) -> Response:
        ratelimit.hit("suggest-ip", client_ip(request), settings.QA_SUGGEST_RATE_PER_IP)
        found = suggest(request.query_params.get("title"), request.query_params.get("body"))
        return Response(RoutingSuggestionSerializer(found).data)


@extend_schema(
    tags=[TAG],
    summary="Track a question (the asker's view)",
    description=(
        "The status, public timeline and, once sent, the answer of a question, for the holder of its tracking "
        "link. A wrong or missing token is a 404, so the reference code alone reveals nothing."
    ),
    parameters=[
        REFERENCE,
        OpenApiParameter(
            "token",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            required=True,
            description="The secret token from the tracking link.",
        ),
    ],
    responses={200: TrackedQuestionSerializer, 404: OpenApiResponse(ErrorSerializer, description="Unknown link.")},
)
@method_decorator(never_cache, name="get")
class TrackApi(APIView):
    def get(self, request: Request, reference: str) -> Response:
        question = selectors.tracked_question(reference, request.query_params.get("token"))
        context = {"request": request, "answer": selectors.sent_answer(question)}
        response = Response(TrackedQuestionSerializer(question, context=context).data)
        # The token is in the URL: keep it out of Referer headers of anything the client opens next.
        response["Referrer-Policy"] = "no-referrer"
        return response


class ErasureRequestSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64, help_text="The secret token from the tracking link.")


@extend_schema(
    tags=[TAG],
    summary="Ask to erase the asker's personal data (a confirmation link is e-mailed)",
    description=(
        "For a closed question (answered, published, rejected or withdrawn). The data is erased only when the "
        "link sent to the asker's e-mail address is opened and confirmed. A question with only a phone number "
        "gets 400: there is no SMS channel yet."
    ),
    parameters=[REFERENCE],
    request=ErasureRequestSerializer,
    responses={
        202: ErrorSerializer,
        400: OpenApiResponse(
            description="Bad input (a message per field), or not possible now: `detail` and `code` "
            "erasure_not_possible (open question, already erased, no e-mail address)."
        ),
        404: OpenApiResponse(ErrorSerializer, description="Unknown link."),
    },
)
class TrackErasureApi(APIView):
    def post(self, request: Request, reference: str) -> Response:
        data = ErasureRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = data.validated_data["token"]
        question = selectors.tracked_question(reference, token)
        services.erasure_request(question=question, token=token)
        detail = _("We have sent a confirmation link to your e-mail address. Your data is erased once you open it.")
        return Response({"detail": detail}, status=202)


@extend_schema(tags=["directory"], summary="Active agencies (a tree: follow `parent`)")
class AgencyListApi(generics.ListAPIView):
    serializer_class = AgencySerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.active_agencies()


@extend_schema(tags=["directory"], summary="Active topics")
class TopicListApi(generics.ListAPIView):
    serializer_class = TopicSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.active_topics()


@extend_schema(
    tags=["directory"],
    summary="Communes, wards and special zones in force today (for `place` when asking)",
    description="By province then name. A unit that merged into another is no longer listed nor accepted.",
)
class PlaceListApi(generics.ListAPIView):
    serializer_class = PlaceSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return places.units_valid_on()
