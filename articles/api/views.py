"""The public JSON API: thin views over selectors and services."""

import logging
from typing import Any

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import User
from articles import fragments, selectors, services, thread_json
from articles.models import Article, Comment
from articles.payloads import comment_payload
from core.errors import InvalidInput, NotFound, ServiceError
from core.throttles import CommentWriteThrottle

from .serializers import (
    ArticleDetailOutputSerializer,
    ArticleOutputSerializer,
    CommentCreateInputSerializer,
    CommentEditInputSerializer,
    CommentOutputSerializer,
    ThreadOutputSerializer,
    comment_create_input,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_THREAD_LIMIT = 100


def _limit(raw: str | None) -> int:
    if raw is None:
        return settings.PARLEY_THREAD_PAGE_SIZE
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_THREAD_LIMIT:
        raise InvalidInput(
            f"limit must be a whole number from 1 to {MAX_THREAD_LIMIT}.",
            code="bad_limit",
        )
    return limit


logger = logging.getLogger(__name__)


def _viewer(request: Request) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _article(slug: str, *, with_counts: bool = True) -> Article:
    article = selectors.published_article(slug=slug)
    if article is None:
        raise NotFound(f"There is no story {slug!r}.", code="article_not_found")
    if with_counts:
        selectors.with_counts([article])
    return article


def _with_latest_status(comment: Comment) -> Comment:
    """The comment with its status as of now, if the database can still say.

    The write is committed when this runs; scoring in-process (no broker) may
    already have decided it. A failure to read that back must not turn a saved
    comment into a 500 (a client would post it again): the answer then gives the
    status as saved, which is true and which polling will update. With a broker,
    a worker decides it later: the status as saved is the answer, with no query.
    """
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return comment
    try:
        comment.refresh_from_db(fields=["status", "status_changed_at"])
    except DatabaseError:
        logger.warning(
            "Comment %s is saved; its latest status could not be read back.",
            comment.pk,
            exc_info=True,
        )
    return comment


def _comment(pk: int) -> Comment:
    comment = Comment.objects.select_related("author", "article").filter(pk=pk).first()
    if comment is None:
        raise NotFound(f"There is no comment {pk}.", code="comment_not_found")
    return comment


class TokenApi(ObtainAuthToken):
    """DRF's token view with the API's parsers (its own list bypasses them)."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # type: ignore[assignment]

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks a locked-out attempt on the request it was given
            # (DRF's, which its middleware never sees); say so instead of 400.
            if getattr(request, "axes_locked_out", False):
                raise AxesBackendPermissionDenied("locked out") from None
            raise


class ArticleListApi(generics.ListAPIView[Article]):
    serializer_class = ArticleOutputSerializer

    def get_queryset(self) -> QuerySet[Article]:
        return selectors.published_articles().order_by("-published_at", "-id")

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        # Counted for the page's stories only, never for the whole list.
        return None if page is None else selectors.with_counts(list(page))


class ArticleDetailApi(generics.RetrieveAPIView[Article]):
    serializer_class = ArticleDetailOutputSerializer
    lookup_field = "slug"

    def get_object(self) -> Article:
        return _article(self.kwargs["slug"])


def _thread_params(request: HttpRequest) -> tuple[str, str | None, str | None, int]:
    """(sort, page, cursor, limit) of a thread read; a bad limit is refused."""
    params = request.GET
    sort = params.get("sort", "oldest")
    cursor = params.get("cursor")
    page = None if cursor is not None or "limit" in params else params.get("page", "1")
    return sort, page, cursor, _limit(params.get("limit"))


def _json_name(
    request: HttpRequest, sort: str, page: str | None, cursor: str | None, limit: int
) -> str:
    """The thread JSON's cache entry a read builds from (read with the shared one)."""
    base_url = request.build_absolute_uri(request.path)
    return thread_json.entry_name(sort, page, cursor, limit, base_url)


def _shared_name(
    request: HttpRequest, sort: str, page: str | None, cursor: str | None, limit: int
) -> str:
    name = f"api:{sort[:20]}:{(page or '')[:20]}:{limit}:{(cursor or '')[:200]}"
    return f"{name}:{request.get_host()}"


# What DRF's content negotiation accepts for this view without a 406.
_JSON_ACCEPTS = ("", "*/*", "application/json", "application/*")


class ThreadApi(APIView):
    throttle_classes = [CommentWriteThrottle]
    throttle_scope = "comment_write"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        """A kept anonymous read is answered before DRF wraps the request.

        It is the reader every other reader is (no Authorization header, no
        signed-in session or frame reader), so authentication, throttles (reads
        have none) and negotiation (JSON only) would decide nothing; they cost as
        much as the rest of the answer. Anything else, or no kept response, goes
        through DRF as usual.
        """
        if (
            request.method == "GET"
            and "HTTP_AUTHORIZATION" not in request.META
            and request.headers.get("Accept", "").strip() in _JSON_ACCEPTS
            and not request.user.is_authenticated
            and getattr(request, "_force_auth_user", None) is None  # DRF's tests'
        ):
            try:
                params = _thread_params(request)
            except ServiceError:
                params = None  # DRF answers the bad parameter in the API's shape
            if params is not None:
                hit = fragments.shared_hit(
                    request,
                    slug=kwargs["slug"],
                    name=_shared_name(request, *params),
                    ahead=_json_name(request, *params),
                )
                if hit is not None:
                    for header, value in self._kept_headers().items():
                        if header == "Vary":
                            patch_vary_headers(hit, [value])
                        else:
                            hit[header] = value
                    return hit
        return super().dispatch(request, *args, **kwargs)

    def _kept_headers(self) -> dict[str, str]:
        # DRF's headers (Allow, Vary: Accept) are the same for every request of a
        # set-up view (setup() adds HEAD).
        cls = type(self)
        if cls._headers is None:
            cls._headers = dict(self.default_response_headers)
        return cls._headers

    _headers: dict[str, str] | None = None

    @extend_schema(
        parameters=[
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(selectors.SORTS)),
            OpenApiParameter(
                "page",
                OpenApiTypes.INT,
                description="A numbered page of top-level comments (the default).",
            ),
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                description="Continue after `next_cursor` of an earlier response "
                "(keyset pagination: every chunk costs the same however deep).",
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"Top-level comments per chunk with a cursor (at most "
                f"{MAX_THREAD_LIMIT}).",
            ),
        ],
        responses=ThreadOutputSerializer,
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        """A page of the story's thread: top-level comments with their replies.

        Every reader gets the same cached JSON (with an ETag to revalidate); a
        signed-in reader's own comments awaiting review are added to it.
        """
        sort, page, cursor, limit = _thread_params(request)
        if not request.user.is_authenticated:
            return fragments.shared_response(
                request,
                slug=slug,
                name=_shared_name(request, sort, page, cursor, limit),
                build=lambda article: self._thread(
                    request, article, sort=sort, page=page, cursor=cursor, limit=limit
                ),
                not_found=NotFound(
                    f"There is no story {slug!r}.", code="article_not_found"
                ),
                ahead=_json_name(request, sort, page, cursor, limit),
            )
        article = _article(slug, with_counts=False)
        return self._thread(
            request, article, sort=sort, page=page, cursor=cursor, limit=limit
        )

    def _thread(
        self,
        request: Request,
        article: Article,
        *,
        sort: str,
        page: str | None,
        cursor: str | None,
        limit: int,
    ) -> HttpResponse:
        found = thread_json.thread_json(
            article=article,
            sort=sort,
            page=page,
            cursor=cursor,
            limit=limit,
            base_url=request.build_absolute_uri(request.path),
        )
        waiting = selectors.own_waiting(article=article, viewer=_viewer(request))
        body = found.body
        if waiting:
            first = (page or "").strip() == "1" or (page is None and not cursor)
            body = thread_json.merge_waiting_json(body, waiting, first=first)
            response = HttpResponse(body, content_type="application/json")
        elif found.etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type="application/json")
        if not request.user.is_authenticated:
            return fragments.shared_headers(response, found.etag)
        if not waiting:
            response["ETag"] = found.etag
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Cookie", "Authorization"])
        return response

    @extend_schema(
        request=CommentCreateInputSerializer,
        responses={201: CommentOutputSerializer, 200: CommentOutputSerializer},
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description="Retrying a POST with the same key returns the first "
                "result instead of creating a duplicate comment.",
            )
        ],
    )
    def post(self, request: Request, slug: str) -> Response:
        """Post a comment, or a reply with `parent_id`. It starts as pending."""
        article = _article(slug, with_counts=False)
        validated = comment_create_input(request.data)
        if validated is None:
            serializer = CommentCreateInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            validated = serializer.validated_data
        parent = None
        parent_id = validated.get("parent_id")
        if parent_id is not None:
            parent = Comment.objects.filter(pk=parent_id).first()
            if parent is None:
                raise InvalidInput(
                    f"There is no comment {parent_id} to reply to.",
                    code="parent_not_found",
                )
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip() or None
        if key is not None and len(key) > 255:
            raise InvalidInput(
                "The Idempotency-Key header must be at most 255 characters.",
                code="bad_idempotency_key",
            )
        comment, created = services.comment_create(
            article=article,
            author=request.user,  # type: ignore[arg-type]
            body=validated["body"],
            parent=parent,
            idempotency_key=key,
        )
        return Response(
            comment_payload(_with_latest_status(comment)),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CommentDetailApi(APIView):
    throttle_classes = [CommentWriteThrottle]
    throttle_scope = "comment_write"

    @extend_schema(responses=CommentOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One comment with its status: poll it to see when it is decided."""
        comment = _comment(pk)
        visible = selectors.is_visible(comment, _viewer(request))
        if not visible:
            raise NotFound(f"There is no comment {pk}.", code="comment_not_found")
        return Response(comment_payload(comment))

    @extend_schema(
        request=CommentEditInputSerializer, responses=CommentOutputSerializer
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Edit your comment within the edit window; it goes back to review."""
        comment = _comment(pk)
        serializer = CommentEditInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_edit(
            comment=comment,
            editor=request.user,  # type: ignore[arg-type]
            body=serializer.validated_data["body"],
        )
        return Response(comment_payload(_with_latest_status(comment)))


class CommentWithdrawApi(APIView):
    throttle_classes = [CommentWriteThrottle]
    throttle_scope = "comment_write"

    @extend_schema(request=None, responses=CommentOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """Withdraw your comment; replies stay in place under a tombstone."""
        comment = services.comment_withdraw(
            comment=_comment(pk),
            actor=request.user,  # type: ignore[arg-type]
        )
        return Response(comment_payload(comment, tombstone=True))
