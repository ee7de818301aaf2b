"""The project's URLs plus the benchmark's baseline and stats views."""

from django.urls import include, path

from . import instrument

urlpatterns = [
    path("__bench/hello/", instrument.hello),
    path("__bench/stats/", instrument.stats),
    path("", include("config.urls")),
]
