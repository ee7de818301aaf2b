from django.urls import path

from . import views

app_name = "qa"

urlpatterns = [
    path("", views.home, name="home"),
    path("confirm/<str:token>/", views.confirm_email, name="confirm"),
    path("track/<str:reference>/", views.track, name="track"),
    path("questions/<str:reference>/", views.question_detail, name="question_detail"),
]
