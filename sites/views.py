"""The embed: its scripts, the frame Parley serves inside a newsroom's page, the
exchange of a sign-on token for a frame token, and the Parley-account pop-up.

Inside the frame, the story page's own views render the thread, the forms and the
reader's pages (base.html switches to the frame's header when `frame` is set), so
the frame offers exactly what the story page offers. They are reached through their
URLs (resolve), never imported: interfaces stay independent of each other.
"""

import logging

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.http.response import (
    HttpResponseBase,
)
from django.shortcuts import render
from django.urls import resolve
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from accounts.models import User
from articles.models import Article, Comment
from core.errors import InvalidInput, NotAllowed, ServiceError

from . import selectors, services
from .assets import CONTENT_TYPES, asset_bytes, asset_url, asset_version
from .errors import SignOnRefused
from .frame import FrameContext
from .middleware import frame_of
from .models import Site
from .sso import reader_from_token

logger = logging.getLogger("parley.embed")

SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"


@require_GET
def script(request: HttpRequest, name: str, version: str = "") -> HttpResponse:
    """embed.js, count.js and the frame's scripts and styles.

    Under a versioned URL (/embed/v/<hash>/<name>) a script never changes, so it is
    cached for a year; the plain URLs newsrooms paste (/embed.js, /count.js) are
    cached for five minutes so a new release reaches them quickly.
    """
    if name not in CONTENT_TYPES:
        raise Http404("No such script.")
    if version and version != asset_version(name):
        # An old version asked after a release: send to the current one.
        return HttpResponseRedirect(asset_url(name))
    response = HttpResponse(asset_bytes(name), content_type=CONTENT_TYPES[name])
    response["Cache-Control"] = LONG_CACHE if version else SHORT_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _frame_csp(origins: list[str]) -> str:
    # Set here, per view: django-csp leaves a header a view has set alone. The
    # site-wide policy (settings.CONTENT_SECURITY_POLICY) with the site's origins
    # as frame-ancestors: no inline script or style.
    ancestors = " ".join(origins) if origins else "'none'"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        f"base-uri 'none'; object-src 'none'; frame-ancestors {ancestors}"
    )


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """A refusal inside the frame. It shows only this message, so any page may
    frame it: a newsroom that misconfigured its origins sees why nothing loads."""
    logger.warning("embed refused status=%s reason=%s", status, message)
    response = render(
        request,
        "sites/frame_refused.html",
        {"message": message, "frame_style": asset_url("frame.css")},
        status=status,
    )
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; frame-ancestors *"
    )
    response.cookies.clear()
    return response


@csrf_exempt  # a cross-site form post with no cookie; it changes nothing but a story
@xframe_options_exempt  # framed by the site's origins only: see _frame_csp
@require_http_methods(["GET", "POST"])
def frame(request: HttpRequest) -> HttpResponse:
    """The frame embed.js puts on a story page: the thread, first paint included.

    embed.js posts the page's attributes here as a form targeting the frame, so the
    browser's Origin header names the host page, and the sign-on token never
    appears in a URL.
    """
    params = request.POST if request.method == "POST" else request.GET
    site = selectors.site_by_slug(params.get("site", "").strip())
    if site is None:
        return _refuse(request, "Parley does not know this site (data-site).", 404)
    origin = (
        request.headers.get("Origin", "")
        if request.method == "POST"
        else params.get("origin", "")
    )
    if not site.allows_origin(origin):
        return _refuse(
            request,
            f"This page ({origin or 'an unknown origin'}) is not allowed to show "
            f"{site.name}'s comments. Add its origin to the site in Parley.",
            403,
        )
    story_id = params.get("story", "").strip()
    if not story_id:
        return _refuse(request, "The embed needs data-story-id.", 400)
    try:
        article = _story(request, site, story_id, params)
    except ServiceError as exc:
        return _refuse(request, exc.message, exc.status)
    notice = ""
    user: User | None = None
    # Only from embed.js's form post: a sign-on token never travels in a URL.
    if token := request.POST.get("sso_token", "").strip():
        try:
            user = reader_from_token(site=site, token=token)
        except SignOnRefused as exc:
            notice = f"You are not signed in: {exc.message}"
    context = FrameContext(
        site=site,
        user=user,
        host_origin=origin,
        story_path=article.get_absolute_url(),
        notice=notice,
    )
    request.parley_frame = context  # type: ignore[attr-defined]
    request.user = context.viewer
    comment_id = params.get("comment", "")
    comment = (
        Comment.objects.filter(pk=comment_id, article=article).first()
        if comment_id.isdigit()
        else None
    )
    context.current = (comment or article).get_absolute_url()
    # The story page's own view (or the comment's permalink view) renders the
    # frame's first paint: the same code, selectors and cache as on Parley.
    page = resolve(context.current)
    response = page.func(request, *page.args, **page.kwargs)
    response["Content-Security-Policy"] = _frame_csp(site.origins)
    return response


def _story(
    request: HttpRequest, site: Site, story_id: str, params: QueryDict
) -> Article:
    existing = Article.objects.filter(site=site, external_id=story_id).first()
    url = params.get("url", "").strip()
    if existing is not None:
        if url and not site.allows_url(url):
            raise InvalidInput(
                f"The story URL is not on {site.name}'s hosts.", code="url_not_allowed"
            )
        return existing
    if site.create_stories_on_embed and is_ratelimited(
        request,
        group="embed-story-create",
        key="ip",
        rate=settings.PARLEY_EMBED_STORY_CREATE_RATE,
        increment=True,
    ):
        raise NotAllowed(
            "Too many new stories from this address; try again later.",
            code="rate_limited",
        )
    return services.story_from_embed(
        site=site,
        external_id=story_id,
        url=url,
        title=params.get("title", ""),
    )


@csrf_exempt  # authenticated by the X-Parley-Frame header, never a cookie
@require_POST
def frame_session(request: HttpRequest) -> JsonResponse:
    """Exchange a sign-on token (or nothing, to sign out) for a new frame token."""
    current = frame_of(request)
    if current is None:
        return JsonResponse(
            {"error": "This frame has expired; reload the page."}, status=403
        )
    token = request.POST.get("sso_token", "").strip()
    user = None
    if token:
        try:
            user = reader_from_token(site=current.site, token=token)
        except SignOnRefused as exc:
            return JsonResponse({"error": exc.message}, status=exc.status)
    renewed = FrameContext(
        site=current.site,
        user=user,
        host_origin=current.host_origin,
        story_path=current.story_path,
    )
    return JsonResponse({"frame_token": renewed.token})


def _keep_opener(response: HttpResponseBase) -> HttpResponseBase:
    # The pop-up hands its token to the frame that opened it through
    # window.opener; Django's default COOP (same-origin) would sever that link,
    # because the opener's page is the newsroom's.
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


@require_http_methods(["GET", "POST"])
def account_popup(request: HttpRequest) -> HttpResponseBase:
    """The pop-up where a reader signs in with a Parley account (first-party, so
    the session cookie works), then hands a frame token back to the frame."""
    site = selectors.site_by_slug(request.GET.get("site", ""))
    origin = request.GET.get("origin", "")
    if site is None or not site.allows_origin(origin):
        raise Http404("No such site.")
    if not site.allow_parley_accounts:
        return render(
            request,
            "articles/refused.html",
            {"message": f"{site.name} signs readers in with its own accounts."},
            status=403,
        )
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        # Django's login view, here, so the pop-up keeps its opener; it comes
        # back to this URL once signed in.
        login = LoginView.as_view(next_page=request.get_full_path())
        return _keep_opener(login(request))
    story = request.GET.get("story", "")
    if not story.startswith("/") or story.startswith("//"):
        story = ""  # a path on Parley only: the frame follows it with its token
    context = FrameContext(
        site=site,
        user=user,
        host_origin=origin,
        story_path=story,
    )
    return _keep_opener(
        render(
            request,
            "sites/account_popup.html",
            {
                "popup_frame": context,
                "popup_script": asset_url("popup.js"),
                "frame_style": asset_url("frame.css"),
            },
        )
    )


@require_GET
def story_redirect(request: HttpRequest, site: str, external_id: str) -> HttpResponse:
    """The no-JavaScript link: the story's thread on Parley itself."""
    article = Article.objects.filter(site__slug=site, external_id=external_id).first()
    if article is None:
        raise Http404("No such story.")
    return HttpResponseRedirect(article.get_absolute_url())
