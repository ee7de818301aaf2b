"""TEMPORARY: config.urls plus `staff:question`, until the staff panel's routes exist (tests reverse it in e-mails)."""

from django.http import HttpResponse
from django.urls import include, path

from config import urls as project_urls

stub = ([path("questions/<str:reference>/", lambda request, reference: HttpResponse(), name="question")], "staff")
urlpatterns = [p for p in project_urls.urlpatterns if getattr(p, "namespace", None) != "staff"] + [
    path("staff/", include(stub))
]
