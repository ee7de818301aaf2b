"""Public REST API of the Q&A: the archive, asking, similar questions, tracking, agencies and topics.

Thin views: they parse input, call qa.selectors / qa.services and shape output
with qa.serializers. Domain errors become HTTP in config.api.exception_handler
(ValidationError → 400 per field, RateLimited → 429 with Retry-After).
"""

from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import ErrorSerializer

from . import cache as archive_cache
from . import selectors
from .filters import SEARCH_MAX_LENGTH, ArchiveFilterSet
from .models import Channel, QuestionStatus
from .serializers import (
    CONFIRM_MESSAGE,
    SUBMITTED_MESSAGE,
    AgencySerializer,
    ArchiveFilterErrorSerializer,
    PublicQuestionDetailSerializer,
    PublicQuestionSerializer,
    QuestionSubmitErrorSerializer,
    QuestionSubmitMultipartSerializer,
    QuestionSubmitSerializer,
    QuestionSubmittedSerializer,
    SimilarQuestionSerializer,
    TopicSerializer,
    TrackedQuestionSerializer,
)
from .services import question_submit
from .services.submission import submission_targets

TAG = "questions"
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such published question.")
RATE_LIMITED = OpenApiResponse(ErrorSerializer, description="Too many questions from this address or e-mail.")
REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="The reference code, e.g. HP-STNMT-2026-000123."
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before asking again.",
)


class ArchivePagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _client_ip(request: Request) -> str | None:
    # REMOTE_ADDR as the server sees it: the reverse proxy must set it (X-Forwarded-For can be forged).
    return request.META.get("REMOTE_ADDR") or None


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
    pagination_class = ArchivePagination
    parser_classes = [JSONParser, MultiPartParser]

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
        responses={
            200: PublicQuestionSerializer(many=True),
            400: OpenApiResponse(ArchiveFilterErrorSerializer, description="A query parameter is not valid."),
            404: OpenApiResponse(ErrorSerializer, description="The page number is past the end."),
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

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
            organisation_name=data["organisation_name"],
            tax_code=data["tax_code"],
            consent_to_publish=data["consent_to_publish"],
            attachments=data["attachments"],
            user=user,
            channel=Channel.API,
            language=get_language() or "",
            client_ip=_client_ip(request),
        )
        result = {"reference": question.reference, "status": question.status}
        if question.status == QuestionStatus.SUBMITTED:
            result["message"] = str(SUBMITTED_MESSAGE)
            result["tracking_url"] = request.build_absolute_uri(question.tracking_path())
        else:
            result["message"] = str(CONFIRM_MESSAGE)
        return Response(QuestionSubmittedSerializer(result).data, status=status.HTTP_201_CREATED)


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
