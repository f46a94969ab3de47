"""Requests from inside the embed frame: signed in by the frame's token, no cookies.

`FrameMiddleware` sits first in MIDDLEWARE: it reads the `X-Parley-Frame` header and,
on the way out, drops every cookie (session, CSRF, last-error) so nothing is ever set
on Parley's domain from a frame, and turns redirects into an `X-Parley-Location`
header the frame's script follows itself (keeping the `#comment` fragment).
`FrameAuthenticationMiddleware` replaces Django's AuthenticationMiddleware: a frame
request's user is the token's reader, never the session's.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url

from .frame import HEADER, FrameContext, frame_from_token

LOCATION_HEADER = "X-Parley-Location"


def frame_of(request: HttpRequest) -> FrameContext | None:
    return getattr(request, "parley_frame", None)


class FrameMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request.headers.get(HEADER)
        frame = frame_from_token(token) if token else None
        if frame is not None:
            request.parley_frame = frame  # type: ignore[attr-defined]
            # The token travels in a custom header, which cross-site pages cannot
            # send; it is the CSRF proof here (there is no cookie to compare).
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
            if request.path in _sign_in_paths():
                return self._finish(request, frame_sign_in(request))
        response = self.get_response(request)
        return self._finish(request, response)

    def _finish(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        frame = frame_of(request)
        match = getattr(request, "resolver_match", None)
        if (
            match is not None
            and match.namespace == "sites"
            and match.url_name != "account_popup"
        ):
            # The embed's own URLs are loaded cross-site: no cookie from them either
            # (the Parley-account pop-up is first-party and needs its session).
            response.cookies.clear()
        if frame is None:
            return response
        response.cookies.clear()
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "private, no-store"
        if 300 <= response.status_code < 400 and response.has_header("Location"):
            location = response["Location"]
            if location.split("?")[0] in _sign_in_paths():
                return self._finish(request, frame_sign_in(request))
            followed = HttpResponse(status=204)
            followed[LOCATION_HEADER] = location
            followed.cookies.clear()
            return followed
        return response


def frame_sign_in(request: HttpRequest) -> HttpResponse:
    """Inside a frame, signing in is the site's business (or a Parley pop-up); a
    reader already signed in goes back to the comments."""
    frame = frame_of(request)
    assert frame is not None  # noqa: S101 - only called for frame requests
    if frame.user is not None:
        return HttpResponseRedirect(frame.story_path or "/")
    request.user = frame.viewer
    return render(request, "sites/sign_in.html", status=200)


def _sign_in_paths() -> set[str]:
    return {resolve_url(settings.LOGIN_URL), resolve_url("signup")}


class FrameAuthenticationMiddleware(AuthenticationMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        frame = frame_of(request)
        if frame is None:
            super().process_request(request)
            return
        request.user = frame.viewer
