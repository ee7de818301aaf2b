from django.urls import path

from . import api

urlpatterns = [
    path("", api.ReorganisationListApi.as_view(), name="reorganisation-list"),
    path("<id:pk>/", api.ReorganisationDetailApi.as_view(), name="reorganisation-detail"),
    path("<id:pk>/preview/", api.ReorganisationPreviewApi.as_view(), name="reorganisation-preview"),
    path("<id:pk>/schedule/", api.ReorganisationScheduleApi.as_view(), name="reorganisation-schedule"),
    path("<id:pk>/apply/", api.ReorganisationApplyApi.as_view(), name="reorganisation-apply"),
    path("<id:pk>/cancel/", api.ReorganisationCancelApi.as_view(), name="reorganisation-cancel"),
]
