"""One JSON shape for every API error:
{"error": {"code", "message", "fields"?, "reference"}}."""

from typing import Any

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ServiceError


def _first_message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_message(next(iter(detail.values())))
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = _handle(exc, context)
    if response is not None and isinstance(response.data, dict):
        # The same reference id as the server log line (config.middleware).
        reference = getattr(context.get("request"), "reference_id", "")
        if reference and isinstance(response.data.get("error"), dict):
            response.data["error"]["reference"] = reference
    return response


API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(
    request: HttpRequest, code: str, message: str, *, status: int
) -> JsonResponse:
    """The API's error shape outside DRF views (404, 413, 500 answered by Django)."""
    error = {"code": code, "message": message}
    reference = getattr(request, "reference_id", "")
    if reference:
        error["reference"] = reference
    return JsonResponse({"error": error}, status=status)


def _handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, AxesBackendPermissionDenied):
        return Response(
            {
                "error": {
                    "code": "throttled",
                    "message": "Too many failed log-ins for this account from your "
                    "address. Wait and try again, or reset your password.",
                }
            },
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(_axes_cooloff_seconds())},
        )
    if isinstance(exc, ServiceError):
        return Response(
            {"error": {"code": exc.code, "message": exc.message}}, status=exc.status
        )
    if isinstance(exc, Http404):
        message = str(exc) if str(exc) else "Not found."
        exc = exceptions.NotFound(message)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, exceptions.ParseError):
        return Response(
            {
                "error": {
                    "code": "malformed_request",
                    "message": "The request body could not be read: send valid JSON "
                    'encoded as UTF-8, for example {"body": "Your comment"}.',
                }
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else None
        payload: dict[str, Any] = {
            "code": "invalid",
            "message": _first_message(exc.detail),
        }
        if fields:
            payload["fields"] = fields
        response.data = {"error": payload}
    else:
        code = getattr(exc, "default_code", "error")
        detail = getattr(exc, "detail", str(exc))
        response.data = {"error": {"code": code, "message": _first_message(detail)}}
    return response


def _axes_cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())
