"""Parley's URLs plus /bench/trivial/: a view that returns two bytes, through the
same middleware, gunicorn workers and connection handling as every other page."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("config.urls")),
]
