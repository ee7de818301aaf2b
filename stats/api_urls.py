"""Statistics API under /api/v1/statistics/."""

from django.urls import path

from . import api

urlpatterns = [path("", api.StatisticsApi.as_view(), name="api-statistics")]
