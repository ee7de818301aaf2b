"""GET /api/v1/statistics/: the public statistics as JSON, with the page's filters. Thin over stats.selectors."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from qa import selectors as qa_selectors

from . import selectors
from .cache import cached


class LineSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    received = serializers.IntegerField()
    answered = serializers.IntegerField()
    published = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True, help_text="Share answered within the deadline, in %.")
    median_days = serializers.IntegerField(allow_null=True, help_text="Median working days to answer.")
    satisfaction = serializers.FloatField(allow_null=True, help_text="Share of ratings that were satisfied, in %.")
    ratings = serializers.IntegerField()


class RankingLineSerializer(LineSerializer):
    overdue_now = serializers.IntegerField()


class PlaceLineSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The unit's code in the official list.")
    name = serializers.CharField()
    province = serializers.CharField()
    suppressed = serializers.BooleanField(
        help_text=f"Fewer than {selectors.PLACE_MIN_QUESTIONS} questions in the period: the figures are withheld "
        "(null) so that no one can be recognised."
    )
    received = serializers.IntegerField(allow_null=True)
    answered = serializers.IntegerField(allow_null=True)
    answered_on_time = serializers.IntegerField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True, help_text="Share answered within the deadline, in %.")


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    received = serializers.IntegerField()
    answered = serializers.IntegerField()
    answered_on_time = serializers.IntegerField()


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    code = serializers.CharField(help_text="e.g. 2026-H2, or “custom”.")


class SummarySerializer(serializers.Serializer):
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    answered = serializers.IntegerField()
    answered_on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    overdue_now = serializers.IntegerField()
    published = serializers.IntegerField()
    unpublished = serializers.IntegerField()
    transferred_out = serializers.IntegerField()
    transferred_in = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    answered_by_reference = serializers.IntegerField(
        help_text="Closed by sending an answer already published in the archive (not in `answered`)."
    )
    rejected = serializers.DictField(child=serializers.IntegerField(), help_text="By reason.")
    received_by_channel = serializers.DictField(child=serializers.IntegerField())
    median_days = serializers.IntegerField(allow_null=True)
    p90_days = serializers.IntegerField(allow_null=True)
    ratings = serializers.IntegerField()
    ratings_satisfied = serializers.IntegerField()
    satisfaction = serializers.FloatField(allow_null=True)
    live = serializers.DictField(child=serializers.IntegerField(), allow_null=True)


class ArchiveAnsweredSerializer(serializers.Serializer):
    opened = serializers.IntegerField(help_text="Ask-form visits that opened a suggested published answer.")
    followed = serializers.IntegerField(help_text="Of those, visits that sent a question afterwards.")
    answered = serializers.IntegerField(help_text="The difference: questions the archive answered.")


class StatisticsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    agency = serializers.CharField(allow_null=True)
    topic = serializers.CharField(allow_null=True)
    structure = serializers.ChoiceField(choices=list(selectors.STRUCTURES))
    summary = SummarySerializer()
    ranking = RankingLineSerializer(many=True)
    topics = LineSerializer(many=True)
    monthly = MonthSerializer(many=True)
    places = PlaceLineSerializer(
        many=True,
        help_text="By the asker's commune or ward (given optionally when asking). With structure=today a merged "
        "unit counts under the unit that took over its area.",
    )
    answered_by_archive = ArchiveAnsweredSerializer(
        help_text="For the period and topic (not per agency: the asker had not chosen one yet)."
    )


PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, description="2026, 2026-H2, 2026-Q3 or 2026-07 (default: this year)."),
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day of a custom range (with `end`)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day of a custom range (at most five years)."),
    OpenApiParameter("agency", OpenApiTypes.STR, description="Agency slug; its sub-agencies are included."),
    OpenApiParameter("topic", OpenApiTypes.STR, description="Topic slug."),
    OpenApiParameter(
        "structure",
        OpenApiTypes.STR,
        enum=list(selectors.STRUCTURES),
        description="Agencies as they were then (default: a merged agency keeps its own line, named as then) or "
        "as they are today (its figures count under its successor, and an agency filter includes its predecessors). "
        "The same for the communes and wards in `places`.",
    ),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=list(selectors.RANKING_SORTS), description="Ranking column."),
    OpenApiParameter("order", OpenApiTypes.STR, enum=["asc", "desc"]),
]


def statistics_payload(filters: selectors.Filters, *, sort: str, descending: bool) -> dict:
    figures = selectors.figures(filters, sort=sort, descending=descending)
    summary = figures.summary
    c = summary.counters
    return {
        "period": {"start": filters.period.start, "end": filters.period.end, "code": filters.period.code},
        "agency": filters.agency.slug if filters.agency else None,
        "topic": filters.topic.slug if filters.topic else None,
        "structure": filters.structure,
        "summary": {
            **{k: c[k] for k in ("received", "accepted", "answered", "answered_on_time", "published")},
            **{k: c[k] for k in ("unpublished", "transferred_out", "transferred_in", "withdrawn", "ratings")},
            "ratings_satisfied": c["ratings_satisfied"],
            "answered_by_reference": c["answered_by_reference"],
            "on_time_rate": summary.on_time_rate,
            "overdue_now": summary.overdue_now,
            "rejected": summary.rejected,
            "received_by_channel": summary.by_channel,
            "median_days": summary.median_days,
            "p90_days": summary.p90_days,
            "satisfaction": summary.satisfaction,
            "live": summary.live,
        },
        "ranking": figures.ranking,
        "topics": figures.topics,
        "monthly": figures.monthly,
        "places": figures.places,
        "answered_by_archive": qa_selectors.archive_answered(
            filters.period.start, filters.period.end, filters.topic.pk if filters.topic else None
        ),
    }


class StatisticsApi(APIView):
    """Public figures on how the agencies answer: the same as the statistics page."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["statistics"],
        operation_id="statistics",
        parameters=PARAMETERS,
        responses={
            200: StatisticsSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Bad filters: a translated message per field (period, start, end, agency, topic).",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        try:
            filters = selectors.parse_filters(request.query_params)
        except ValidationError as exc:
            return Response(exc.message_dict, status=400)
        sort = request.query_params.get("sort", "on_time_rate")
        descending = request.query_params.get("order", "desc") != "asc"
        key = "stats:api:" + urlencode(sorted({**filters.params(), "sort": sort, "desc": int(descending)}.items()))
        data = cached(
            key, lambda: StatisticsSerializer(statistics_payload(filters, sort=sort, descending=descending)).data
        )
        return Response(data)
