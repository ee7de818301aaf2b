"""REST API of the reorganisation, for site administrators: create, preview, schedule, apply, cancel.

Thin views over orgchanges.services; bad input is 400 with a message per field, an operation in the wrong
state 409 (core.api.exception_handler), anyone but a site administrator 403.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Agency
from core.api import ConflictErrorSerializer, ErrorSerializer
from qa.models import Topic

from . import services
from .models import INPUT_FIELDS, Kind, Reorganisation


class RuleSerializer(serializers.Serializer):
    target = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    topics = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.all(), many=True)


class ReorganisationInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    effective_date = serializers.DateField()
    sources = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), many=True)
    target = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)
    new_name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    new_slug = serializers.SlugField(required=False, allow_blank=True, max_length=80)
    new_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    new_kind = serializers.ChoiceField(choices=Agency.Kind.choices, required=False, allow_blank=True)
    new_parent = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)
    rules = RuleSerializer(many=True, required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=255)
    legal_basis = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ReorganisationSerializer(serializers.ModelSerializer):
    sources = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Reorganisation
        fields = [
            "id",
            "status",
            *INPUT_FIELDS,
            "membership_choices",
            "manual_choices",
            "preview",
            "result",
            "applied_at",
        ]
        read_only_fields = fields


class PreviewInputSerializer(serializers.Serializer):
    membership_choices = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        required=False,
        help_text="Membership id → agency id to move it to (0: the agency this merge creates), or null to end it.",
    )
    manual_choices = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="Split: open question id → agency id."
    )


# What every endpoint may answer besides its success.
ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not logged in (session) and no valid token."),
    403: OpenApiResponse(ErrorSerializer, description="Not a site administrator."),
}
ON_OPERATION = {
    **ERRORS,
    400: OpenApiResponse(description="Refused, with a message per field; nothing changed."),
    404: OpenApiResponse(ErrorSerializer, description="No such operation."),
    409: OpenApiResponse(ConflictErrorSerializer, description="The operation's state does not allow this step."),
}


class _AdminApi(APIView):
    permission_classes = [IsAdminUser]

    def operation(self, pk: int) -> Reorganisation:
        return get_object_or_404(Reorganisation, pk=pk)


class ReorganisationListApi(_AdminApi):
    @extend_schema(responses={200: ReorganisationSerializer(many=True), **ERRORS})
    def get(self, request):
        operations = Reorganisation.objects.prefetch_related("sources")[:200]
        return Response(ReorganisationSerializer(operations, many=True).data)

    @extend_schema(
        request=ReorganisationInputSerializer,
        responses={201: ReorganisationSerializer, 400: ON_OPERATION[400], **ERRORS},
    )
    def post(self, request):
        data = ReorganisationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["rules"] = [(rule["target"], rule["topics"]) for rule in values.pop("rules", [])]
        operation = services.reorganisation_create(actor=request.user, **values)
        return Response(ReorganisationSerializer(operation).data, status=status.HTTP_201_CREATED)


class ReorganisationDetailApi(_AdminApi):
    @extend_schema(responses={200: ReorganisationSerializer, 404: ON_OPERATION[404], **ERRORS})
    def get(self, request, pk: int):
        return Response(ReorganisationSerializer(self.operation(pk)).data)


class ReorganisationPreviewApi(_AdminApi):
    @extend_schema(request=PreviewInputSerializer, responses={200: ReorganisationSerializer, **ON_OPERATION})
    def post(self, request, pk: int):
        data = PreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        operation = self.operation(pk)
        services.reorganisation_preview(actor=request.user, operation=operation, **data.validated_data)
        operation.refresh_from_db()
        return Response(ReorganisationSerializer(operation).data)


class _StepApi(_AdminApi):
    step = None

    @extend_schema(request=None, responses={200: ReorganisationSerializer, **ON_OPERATION})
    def post(self, request, pk: int):
        operation = type(self).step(actor=request.user, operation=self.operation(pk))
        return Response(ReorganisationSerializer(operation).data)


class ReorganisationApplyApi(_StepApi):
    step = services.reorganisation_apply


class ReorganisationScheduleApi(_StepApi):
    step = services.reorganisation_schedule


class ReorganisationCancelApi(_StepApi):
    step = services.reorganisation_cancel
