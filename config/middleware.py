"""A short reference id for every request, shown on error pages and in API errors.

Every 4xx/5xx response is logged with its reference id, so a reader quoting the id
("reference 3f9a1c2e") leads support straight to the log line. The id of the last
error a reader saw is kept in a cookie, which the problem-report form attaches: only
errors on pages the browser showed, not on the images, scripts or icons it fetched
along the way (a missing favicon is nobody's problem to report).
"""

import logging
import re
import secrets
from collections.abc import Callable

import csp.constants
import csp.middleware
import csp.utils
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from config.api_errors import error_response, is_api_request
from config.logs import request_id_var

logger = logging.getLogger("parley.errors")

REFERENCE_HEADER = "X-Reference-Id"
LAST_ERROR_COOKIE = "parley_last_error"
LAST_ERROR_MAX_AGE = 24 * 60 * 60
REFERENCE_RE = re.compile(r"^[0-9a-f]{8}$")


def new_reference() -> str:
    return secrets.token_hex(4)


def last_error_reference(request: HttpRequest) -> str:
    """The reference of the last error this browser saw (its cookie), if well formed."""
    value = request.COOKIES.get(LAST_ERROR_COOKIE, "")
    return value if REFERENCE_RE.match(value) else ""


def reference_of(request: HttpRequest) -> str:
    return getattr(request, "reference_id", "") or ""


_ASSET_NAMES = ("/favicon.ico", "/robots.txt", "/apple-touch-icon")


def is_page_view(request: HttpRequest) -> bool:
    """Whether the browser asked for a page to show (not an asset or data)."""
    path = request.path
    static_url = "/" + str(settings.STATIC_URL or "static/").lstrip("/")
    if path.startswith(static_url) or path.startswith(_ASSET_NAMES):
        return False
    destination = request.headers.get("Sec-Fetch-Dest")
    if destination:
        return destination in ("document", "iframe")
    return "text/html" in request.headers.get("Accept", "")


class ReferenceIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reference = new_reference()
        request.reference_id = reference  # type: ignore[attr-defined]
        token = request_id_var.set(reference)
        try:
            return self._respond(request, reference)
        finally:
            request_id_var.reset(token)

    def _respond(self, request: HttpRequest, reference: str) -> HttpResponse:
        response = self.get_response(request)
        response[REFERENCE_HEADER] = reference
        if response.status_code >= 400:
            log = logger.error if response.status_code >= 500 else logger.warning
            log(
                "reference=%s status=%s method=%s path=%s",
                reference,
                response.status_code,
                request.method,
                request.path,
            )
            if is_page_view(request):
                response.set_cookie(
                    LAST_ERROR_COOKIE,
                    reference,
                    max_age=LAST_ERROR_MAX_AGE,
                    httponly=True,
                    samesite="Lax",
                )
        return response


class RefusedRequest(BadRequest):
    """A 400 whose message is written for the person who sent the request."""


NUL_IN_ADDRESS = (
    "The address contains a NUL character (%00), which no Parley page accepts. "
    "Remove it from the link and try again."
)


class NulCharacterMiddleware:
    """No NUL character from the address or a cookie reaches the database.

    PostgreSQL text cannot hold NUL, so a `%00` in a query parameter or a cookie
    would otherwise surface as a 500 wherever the value meets a query (a session
    cookie is looked up before any view runs). Forms and the API's serializers
    already refuse NUL in what they validate; the address is refused here with a
    400, and a cookie holding one is dropped as if the browser had not sent it
    (the reader is simply signed out, never shown an error for a cookie).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            raise RefusedRequest(NUL_IN_ADDRESS)
        cookies = request.COOKIES
        if any("\x00" in name or "\x00" in value for name, value in cookies.items()):
            request.COOKIES = {
                name: value
                for name, value in cookies.items()
                if "\x00" not in name and "\x00" not in value
            }
        return self.get_response(request)


class ApiBodyLimitMiddleware:
    """Refuse an API request body over the limit before anything reads it.

    Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE only when a view reads
    `request.body` or form data; DRF's parsers read the stream directly, so an
    oversize JSON body would otherwise be parsed in full. The proxy has the same
    limit (deploy/nginx.conf.template); this one holds when Django is reached
    directly.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_request(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                return error_response(
                    request,
                    "too_large",
                    f"The request body is larger than {limit} bytes.",
                    status=413,
                )
        return self.get_response(request)


_CSP_VIEW_ATTRS = tuple(
    f"_csp_{kind}{suffix}"
    for kind in ("config", "update", "replace")
    for suffix in ("", "_ro")
)


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's, with the two policies (enforced and report-only) built once
    per process from the settings and reused for every response without a view's
    own policy (csp_update/csp_replace/csp_exempt decorators) or a nonce. django-csp
    builds both strings on every response: about 15% of a trivial request's CPU.

    The settings dicts are compared by identity, so `override_settings` (which
    replaces them) takes effect at once; settings are never changed in place.
    """

    _built: tuple[object, object, str, str] | None = None

    def _policies(self) -> tuple[str, str]:
        enforced = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built = CSPMiddleware._built
        if built is None or built[0] is not enforced or built[1] is not report_only:
            built = (
                enforced,
                report_only,
                csp.utils.build_policy(),
                csp.utils.build_policy(report_only=True),
            )
            CSPMiddleware._built = built
        return built[2], built[3]

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _CSP_VIEW_ATTRS
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # django-csp leaves Django's debug pages alone
        enforced, report_only = self._policies()
        for header, policy, setting, exempt in (
            (csp.constants.HEADER, enforced, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
            (
                csp.constants.HEADER_REPORT_ONLY,
                report_only,
                "CONTENT_SECURITY_POLICY_REPORT_ONLY",
                "_csp_exempt_ro",
            ),
        ):
            if not policy or header in response:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get(
                "EXCLUDE_URL_PREFIXES"
            ) or ()
            if getattr(response, exempt, False) is False and not (
                request.path_info.startswith(tuple(prefixes))
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = csp.middleware.CheckableLazyObject(  # type: ignore[attr-defined]
            self._csp_nonce_post_response
        )
        return response
