"""The officials' panel under /staff/ (see qa.staff.views)."""

from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk-reject/", views.bulk_reject, name="bulk_reject"),
    path("register/", views.register, name="register"),
    path("questions/<str:reference>/", views.question, name="question"),
    path("questions/<str:reference>/do/<slug:action>/", views.question_action, name="action"),
    path("questions/<str:reference>/answer/", views.answer_save, name="answer_save"),
    path(
        "questions/<str:reference>/answer/files/<id:attachment_id>/remove/",
        views.answer_attachment_remove,
        name="answer_attachment_remove",
    ),
    path("questions/<str:reference>/notes/", views.note_add, name="note_add"),
    path("questions/<str:reference>/files/<id:attachment_id>/", views.attachment_download, name="attachment"),
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/<slug:slug>/members/", views.agency_members, name="agency_members"),
    path("agencies/<slug:slug>/members/<id:membership_id>/role/", views.member_role, name="member_role"),
    path("agencies/<slug:slug>/members/<id:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("agencies/<slug:slug>/settings/", views.agency_settings, name="agency_settings"),
    path("agencies/<slug:slug>/access-log/", views.access_log, name="access_log"),
    path("agencies/<slug:slug>/templates/", views.templates_list, name="templates"),
    path("agencies/<slug:slug>/templates/new/", views.template_edit, name="template_create"),
    path("agencies/<slug:slug>/templates/<id:template_id>/", views.template_edit, name="template_edit"),
    path("agencies/<slug:slug>/templates/<id:template_id>/delete/", views.template_delete, name="template_delete"),
]
