from django.urls import include, path

from . import views
from .feeds import LatestAnswersFeed

app_name = "qa"

urlpatterns = [
    path("", views.home, name="home"),
    path("ask/", views.ask, name="ask"),
    path("ask/sent/<str:reference>/", views.ask_sent, name="ask_sent"),
    path("confirm/<str:token>/", views.confirm_email, name="confirm"),
    path("receipt/<str:reference>/", views.receipt, name="receipt"),
    path("track/<str:reference>/", views.track, name="track"),
    path("track/<str:reference>/withdraw/", views.withdraw, name="withdraw"),
    path("lost-link/", views.lost_link, name="lost_link"),
    path("questions/", views.archive, name="archive"),
    path("questions/<str:reference>/", views.question_detail, name="question_detail"),
    path("questions/<str:reference>/helpful/", views.vote, name="vote"),
    path("agencies/<slug:slug>/", views.agency_page, name="agency"),
    path("topics/<slug:slug>/", views.topic_page, name="topic"),
    path("feed/answers.atom", LatestAnswersFeed(), name="feed"),
    # Asker actions after an answer or an information request (owned by the moderation workflow).
    path("", include("qa.asker_urls")),
]
