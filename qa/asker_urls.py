"""Routes for what an asker does from the tracking page beyond withdrawing (reply, rate, follow up).

Included by qa/urls.py inside the "qa" namespace; views in qa.asker_views.
"""

from django.urls import path

from . import asker_views

urlpatterns = [
    path("track/<str:reference>/reply/", asker_views.reply, name="reply"),
    path("track/<str:reference>/rate/", asker_views.rate, name="rate"),
    path("track/<str:reference>/follow-up/", asker_views.follow_up, name="follow_up"),
    path("track/<str:reference>/erase/", asker_views.erasure_request, name="erasure_request"),
    path("privacy/erase/<str:token>/", asker_views.erasure_confirm, name="erasure_confirm"),
]
