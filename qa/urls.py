from django.urls import include, path

from . import reach_views, views
from .feeds import LatestAnswersFeed

app_name = "qa"

urlpatterns = [
    path("", views.home, name="home"),
    path("ask/", views.ask, name="ask"),
    path("ask/sent/<str:reference>/", views.ask_sent, name="ask_sent"),
    path("ask/sent/<str:reference>/resend/", reach_views.confirmation_resend_view, name="confirmation_resend"),
    path("ask/sent/<str:reference>/change-email/", reach_views.confirmation_email_change, name="confirmation_change"),
    path("confirm/<str:token>/", views.confirm_email, name="confirm"),
    path("receipt/<str:reference>/", views.receipt, name="receipt"),
    path("track/<str:reference>/", views.track, name="track"),
    path("track/<str:reference>/withdraw/", views.withdraw, name="withdraw"),
    path("lost-link/", views.lost_link, name="lost_link"),
    path("receipt/<str:reference>/code/", reach_views.phone_confirm, name="phone_confirm"),
    path("receipt/<str:reference>/resend-code/", reach_views.phone_resend, name="phone_resend"),
    path("receipt/<str:reference>/change-number/", reach_views.phone_change, name="phone_change"),
    path("s/<str:token>/", reach_views.short_link, name="short_link"),
    path("lookup/", reach_views.lookup, name="lookup"),
    path("lookup/<str:reference>/", reach_views.lookup_view, name="lookup_view"),
    path("manifest.webmanifest", reach_views.web_manifest, name="web_manifest"),
    path("questions/", views.archive, name="archive"),
    path("questions/<str:reference>/", views.question_detail, name="question_detail"),
    path("questions/<str:reference>/helpful/", views.vote, name="vote"),
    path("agencies/<slug:slug>/", views.agency_page, name="agency"),
    path("topics/<slug:slug>/", views.topic_page, name="topic"),
    path("feed/answers.atom", LatestAnswersFeed(), name="feed"),
    # Asker actions after an answer or an information request (owned by the moderation workflow).
    path("", include("qa.asker_urls")),
]
