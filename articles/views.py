"""Readers' pages: thin views over selectors (reads) and services (writes)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from accounts.models import User
from core.errors import InvalidInput, NotAllowed, ServiceError
from core.rates import setting_rate
from moderation import selectors as moderation_selectors

from . import fragments, selectors, services
from .forms import CommentForm
from .models import Article, Comment, CommentStatus
from .thread_html import pager, sort_options

WRITE_RATE = setting_rate("PARLEY_COMMENT_WRITE_RATE")


def _viewer(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


# Every django-ratelimit rate in Parley is per minute or per hour; a client told to
# come back in a minute may still be refused by an hourly limit, and is told again.
RATE_LIMIT_RETRY_AFTER_SECONDS = 60


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    response = render(
        request,
        "articles/refused.html",
        {
            "message": "You are posting too quickly. Please wait a minute and try "
            "again; your text is still in the form if you go back."
        },
        status=429,
    )
    response["Retry-After"] = str(RATE_LIMIT_RETRY_AFTER_SECONDS)
    return response


def article_list_page(request: HttpRequest) -> HttpResponse:
    try:
        page = selectors.story_list_page(
            page=request.GET.get("page", "1"), per_page=settings.PARLEY_STORY_PAGE_SIZE
        )
    except ServiceError as exc:
        return render(
            request, "articles/refused.html", {"message": exc.message}, status=400
        )
    return render(
        request, "articles/article_list.html", {"articles": page.stories, "page": page}
    )


def _shared(request: HttpRequest) -> bool:
    """Whether this reader gets the page every anonymous reader gets (cacheable).

    Never a page inside a newsroom's embed: it carries its own frame token (set on
    the request by sites.middleware.FrameMiddleware). Its thread fragment is still
    the cached one.
    """
    return (
        not request.user.is_authenticated
        and getattr(request, "parley_frame", None) is None
        and not len(messages.get_messages(request))
    )


def _render_article(
    request: HttpRequest,
    article: Article,
    *,
    form: CommentForm | None = None,
    error: ServiceError | None = None,
    reply_to: int | None = None,
) -> HttpResponse:
    sort = request.GET.get("sort", "oldest")
    page_number = request.GET.get("page", "1")
    closed_reason = article.comments_closed_reason()
    try:
        fragment = fragments.thread_fragment(
            article=article, sort=sort, page=page_number
        )
    except ServiceError as exc:
        return render(
            request, "articles/refused.html", {"message": exc.message}, status=400
        )
    shared = error is None and _shared(request)
    etag = f'{fragment.etag[:-1]}-{int(bool(closed_reason))}"'
    response: HttpResponse
    if shared and etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        reply_text = ""
        if form is not None and reply_to is not None:
            reply_text = form.data.get("body", "")
        viewer = _viewer(request)
        thread_html = fragments.personalise(
            request,
            fragment,
            article=article,
            viewer=viewer,
            closed=bool(closed_reason),
            reply_to=reply_to,
            reply_text=reply_text,
            awaiting_note=lambda: _awaiting_note(viewer),
        )
        context = {
            "article": article,
            "page": fragment,
            "thread_html": thread_html,
            "sort_options": sort_options(fragment.sort),
            "pager": pager(
                sort=fragment.sort,
                number=fragment.number,
                num_pages=fragment.num_pages,
                has_previous=fragment.has_previous,
                has_next=fragment.has_next,
            ),
            "form": form or CommentForm(),
            "error": error,
            "reply_to": reply_to,
            "closed_reason": closed_reason,
        }
        response = render(
            request,
            "articles/article_detail.html",
            context,
            status=error.status if error else 200,
        )
    if shared:
        return fragments.shared_headers(response, etag)
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if _shared(request):
        sort = request.GET.get("sort", "oldest")[:20]
        page = request.GET.get("page", "1")[:20]
        return fragments.shared_response(
            request,
            slug=slug,
            name=f"page:{sort}:{page}",
            build=lambda article: _render_article(request, article),
            ahead=fragments.fragment_name(
                request.GET.get("sort", "oldest"), request.GET.get("page", "1")
            ),
        )
    article = get_object_or_404(selectors.published_articles(), slug=slug)
    return _render_article(request, article)


def _posted_message(request: HttpRequest, comment: Comment) -> None:
    if comment.status == CommentStatus.PUBLISHED:
        messages.success(request, "Thanks, your comment is published.")
    elif comment.status == CommentStatus.REJECTED:
        messages.warning(
            request, "Your comment was not published because it breaks the rules."
        )
    elif comment.author is not None and moderation_selectors.is_new_commenter(
        comment.author
    ):
        messages.info(
            request,
            f"Thanks, your comment is awaiting review. {_first_comment_note()} "
            "Only you can see it until it is published.",
        )
    else:
        messages.info(
            request,
            "Thanks, your comment is awaiting review. Only you can see it until it "
            "is published.",
        )


def _first_comment_note() -> str:
    wait = _wait_in_words(moderation_selectors.review_wait_minutes())
    return "First comments from new readers are checked by a person before they " + (
        f"appear; at the moment that takes {wait}." if wait else "appear."
    )


def _awaiting_note(viewer: User | None) -> str:
    """The note shown on the viewer's own comments awaiting review, when the
    viewer is still a new commenter (asked only when the page shows one)."""
    if viewer is None or not moderation_selectors.is_new_commenter(viewer):
        return ""
    return _first_comment_note()


def _wait_in_words(minutes: float | None) -> str:
    if minutes is None:
        return ""
    if minutes < 1.5:
        return "about a minute"
    if minutes < 90:
        return f"about {round(minutes)} minutes"
    hours = round(minutes / 60)
    return f"about {hours} hour{pluralize(hours)}"


@require_POST
@ratelimit(key="user_or_ip", rate=WRITE_RATE, method="POST")
def comment_post(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(selectors.published_articles(), slug=slug)
    viewer = _viewer(request)
    if viewer is None:
        login = reverse("login")
        messages.error(request, "Please log in to comment.")
        return redirect(f"{login}?next={article.get_absolute_url()}")
    form = CommentForm(request.POST)
    form.is_valid()
    parent_id = form.cleaned_data.get("parent")
    try:
        parent = None
        if "parent" in form.errors:
            # A reply must never silently become a top-level comment.
            raise InvalidInput(
                "The comment you are replying to does not exist.",
                code="parent_not_found",
            )
        if parent_id is not None:
            parent = Comment.objects.filter(pk=parent_id).first()
            if parent is None:
                raise InvalidInput(
                    "The comment you are replying to does not exist.",
                    code="parent_not_found",
                )
        comment, _ = services.comment_create(
            article=article,
            author=viewer,
            body=form.cleaned_data.get("body", ""),
            parent=parent,
        )
    except ServiceError as exc:
        return _render_article(
            request, article, form=form, error=exc, reply_to=parent_id
        )
    comment.refresh_from_db(fields=["status", "status_changed_at"])
    _posted_message(request, comment)
    return HttpResponseRedirect(_thread_url(request, comment))


def _thread_url(request: HttpRequest, comment: Comment) -> str:
    """The thread page, in the order the reader was reading, that shows `comment`."""
    sort = request.POST.get("sort", "oldest")
    sort = sort if sort in selectors.SORTS else "oldest"
    number = selectors.page_of_comment(
        comment=comment,
        sort=sort,
        per_page=settings.PARLEY_THREAD_PAGE_SIZE,
    )
    url = comment.article.get_absolute_url()
    if (sort, number) != ("oldest", 1):
        url += "?" + urlencode({"sort": sort, "page": str(number)})
    return f"{url}#c{comment.pk}"


def _visible_comment_or_404(request: HttpRequest, pk: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("article", "author"), pk=pk
    )
    viewer = _viewer(request)
    visible = selectors.is_visible(comment, viewer)
    if not visible and comment.status not in (
        CommentStatus.WITHDRAWN,
        CommentStatus.REJECTED,
    ):
        raise Http404("No such comment.")
    return comment


def comment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _visible_comment_or_404(request, pk)
    items = selectors.comment_context(comment=comment, viewer=_viewer(request))
    if not items:
        raise Http404("No such comment.")
    closed_reason = comment.article.comments_closed_reason()
    viewer = _viewer(request)
    thread_html = fragments.render_for_viewer(
        request,
        items,
        article=comment.article,
        viewer=viewer,
        closed=bool(closed_reason),
        awaiting_note=lambda: _awaiting_note(viewer),
    )
    return render(
        request,
        "articles/comment_detail.html",
        {
            "comment": comment,
            "article": comment.article,
            "items": items,
            "thread_html": thread_html,
            "closed_reason": closed_reason,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate=WRITE_RATE, method="POST")
def comment_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    viewer = _viewer(request)
    if viewer is None or comment.author_id != viewer.pk:
        raise PermissionDenied("You can only edit your own comments.")
    form = CommentForm(
        request.POST if request.method == "POST" else None,
        initial={"body": comment.body},
    )
    status = 200
    error: ServiceError | None = None
    if request.method == "POST":
        form.is_valid()
        try:
            comment = services.comment_edit(
                comment=comment, editor=viewer, body=form.cleaned_data.get("body", "")
            )
        except ServiceError as exc:
            error, status = exc, exc.status
        else:
            comment.refresh_from_db(fields=["status", "status_changed_at"])
            _posted_message(request, comment)
            return HttpResponseRedirect(_thread_url(request, comment))
    deadline = selectors.edit_deadline(comment)
    if deadline is None and error is None:
        error = NotAllowed(
            "The time to edit this comment has passed. You can withdraw it and post "
            "again.",
            code="edit_window_passed",
        )
    return render(
        request,
        "articles/comment_edit.html",
        {"comment": comment, "form": form, "error": error, "deadline": deadline},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_withdraw_page(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    viewer = _viewer(request)
    if request.method == "GET":
        if viewer is None or comment.author_id != viewer.pk:
            raise PermissionDenied("You can only withdraw your own comments.")
        return render(request, "articles/comment_withdraw.html", {"comment": comment})
    try:
        services.comment_withdraw(comment=comment, actor=viewer)  # type: ignore[arg-type]
    except ServiceError as exc:
        return render(
            request,
            "articles/refused.html",
            {"message": exc.message},
            status=exc.status,
        )
    messages.success(
        request, "Your comment was withdrawn. Replies to it stay in place."
    )
    return HttpResponseRedirect(f"{comment.article.get_absolute_url()}#c{comment.pk}")


def site_icon(request: HttpRequest) -> HttpResponse:
    """The icon, for browsers asking /favicon.ico on pages without an icon link.

    Resolved per request: with the hashed-names storage the name is known only once
    collectstatic has run, never at import.
    """
    return HttpResponsePermanentRedirect(static("articles/favicon.svg"))
