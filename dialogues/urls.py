from django.urls import path

from . import views

app_name = "dialogues"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("<id:pk>/", views.session_detail, name="detail"),
    path("<id:pk>/ask/", views.ask, name="ask"),
    path("<id:pk>/questions/<id:question_pk>/vote/", views.vote, name="vote"),
    path("<id:pk>/remind/", views.remind, name="remind"),
    path("<id:pk>/calendar.ics", views.session_ics, name="ics"),
    path("<id:pk>/transcript/", views.transcript, name="transcript"),
    path("<id:pk>/photos/<id:announcement_pk>/", views.announcement_photo, name="photo"),
    path("<id:pk>/console/", views.console, name="console"),
    path("<id:pk>/console/<slug:action>/", views.console_action, name="console_action"),
    path(
        "<id:pk>/console/questions/<id:question_pk>/<slug:action>/",
        views.question_action,
        name="question_action",
    ),
    path("<id:pk>/panel/", views.panel, name="panel"),
]
