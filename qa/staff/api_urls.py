"""Staff API under /api/v1/staff/ (see qa.staff.api)."""

from django.urls import path

from . import api as staff_api

urlpatterns = [
    path("questions/", staff_api.StaffQueueApi.as_view(), name="api-staff-questions"),
    path("questions/<str:reference>/", staff_api.StaffQuestionApi.as_view(), name="api-staff-question"),
    path(
        "questions/<str:reference>/transitions/",
        staff_api.StaffTransitionApi.as_view(),
        name="api-staff-question-transitions",
    ),
    path("questions/<str:reference>/answer/", staff_api.StaffAnswerApi.as_view(), name="api-staff-answer"),
    path("questions/<str:reference>/notes/", staff_api.StaffNotesApi.as_view(), name="api-staff-notes"),
    path(
        "questions/<str:reference>/answer-templates/",
        staff_api.StaffAnswerTemplatesApi.as_view(),
        name="api-staff-answer-templates",
    ),
    path("questions/<str:reference>/duplicates/", staff_api.StaffDuplicatesApi.as_view(), name="api-staff-duplicates"),
    path("questions/<str:reference>/group/", staff_api.StaffGroupApi.as_view(), name="api-staff-group"),
    path("questions/<str:reference>/assignees/", staff_api.StaffAssigneesApi.as_view(), name="api-staff-assignees"),
    path(
        "questions/<str:reference>/attachments/<id:attachment_id>/",
        staff_api.StaffAttachmentApi.as_view(),
        name="api-staff-attachment",
    ),
]
