"""``/v1alpha1/comments:analyze`` and ``comments:suggestscore``.

Plain Django views rather than DRF: Perspective's clients expect Google's
request and error shapes exactly, and the analyze path is the hot path of a
process that answers nothing else, so it carries no content negotiation,
authentication classes or browsable renderer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from perspective import scoring, services
from perspective.errors import ApiError, invalid
from perspective.html import strip_html
from perspective.models import ApiKey
from perspective.requests import parse_analyze, parse_suggest

logger = logging.getLogger(__name__)


def _json(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _error(error: ApiError) -> HttpResponse:
    response = _json(error.body(), error.http_status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def _presented_key(request: HttpRequest) -> str | None:
    key = request.GET.get("key")
    if key:
        return key
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("X-Goog-Api-Key") or None


def _raw_body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        raise invalid("Request body is too large.", "COMMENT_TOO_LONG") from None


Handler = Callable[[HttpRequest, ApiKey], dict[str, Any]]


def _endpoint(method: str, handler: Handler) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        if not settings.PARLEY_PERSPECTIVE_API:
            return _error(
                ApiError(
                    "NOT_FOUND",
                    "This process does not serve the Perspective-compatible API "
                    "(set PARLEY_PERSPECTIVE_API=true on the one that should).",
                )
            )
        if request.method != "POST":
            return _error(ApiError("NOT_FOUND", "Method not found."))
        api_key: ApiKey | None = None
        try:
            api_key = services.api_key_for(_presented_key(request))
            services.quota_check(api_key=api_key)
            return _json(handler(request, api_key))
        except ApiError as error:
            if error.http_status >= 500:
                logger.error("%s %s: %s", method, error.status, error.message)
            elif api_key is not None:
                logger.info("%s key=%s %s", method, api_key.name, error.status)
            return _error(error)

    return view


def _analyze(request: HttpRequest, api_key: ApiKey) -> dict[str, Any]:
    parsed = parse_analyze(_raw_body(request))
    scored = scoring.analyze(parsed)
    services.usage_count(api_key=api_key, counter="analyze")
    return scored.body


def _suggest(request: HttpRequest, api_key: ApiKey) -> dict[str, Any]:
    parsed = parse_suggest(_raw_body(request))
    visible = (
        strip_html(parsed.text).text.strip()
        if parsed.text_type == "HTML"
        else parsed.text
    )
    services.feedback_create(api_key=api_key, request=parsed, visible_text=visible)
    services.usage_count(api_key=api_key, counter="suggest")
    body: dict[str, Any] = {"requestedLanguages": list(parsed.languages)}
    if parsed.client_token is not None:
        body["clientToken"] = parsed.client_token
    return body


analyze = _endpoint("comments:analyze", _analyze)
suggestscore = _endpoint("comments:suggestscore", _suggest)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _error(ApiError("NOT_FOUND", "Method not found."))
