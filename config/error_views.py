"""Django's own error answers (400, 404, 500): JSON under /api/, pages elsewhere.

DRF views answer their errors through config.api_errors; these cover what happens
outside them, e.g. an unknown API path or an exception in middleware, so an API
client never has to parse an HTML page.
"""

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from config.api_errors import error_response, is_api_request
from config.middleware import RefusedRequest
from readers import views as pages


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = str(exception) if isinstance(exception, RefusedRequest) else ""
    if is_api_request(request):
        return error_response(
            request,
            "malformed_request",
            message or "The request could not be read.",
            status=400,
        )
    return pages.bad_request(request, exception, message)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_response(request, "not_found", "Not found.", status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return error_response(
            request,
            "server_error",
            "Something went wrong on our side. Please try again in a minute and "
            "quote the reference if it keeps happening.",
            status=500,
        )
    return pages.server_error(request)
