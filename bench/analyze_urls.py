"""Parley's URLs plus the baseline of bench/analyze.py: a view that reads the
same POST body and answers a fixed JSON object, through the same middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        b'{"ok":true,"length":%d}' % len(request.body),
        content_type="application/json",
    )


urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("config.urls")),
]
