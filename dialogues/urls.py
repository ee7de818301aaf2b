from django.urls import path

from . import views

app_name = "dialogues"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/ask/", views.ask, name="ask"),
    path("<int:pk>/questions/<int:question_pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/calendar.ics", views.session_ics, name="ics"),
    path("<int:pk>/transcript/", views.transcript, name="transcript"),
    path("<int:pk>/console/", views.console, name="console"),
    path("<int:pk>/console/<slug:action>/", views.console_action, name="console_action"),
    path(
        "<int:pk>/console/questions/<int:question_pk>/<slug:action>/",
        views.question_action,
        name="question_action",
    ),
    path("<int:pk>/panel/", views.panel, name="panel"),
]
