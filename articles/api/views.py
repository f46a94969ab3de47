"""The public JSON API: thin views over selectors and services."""

import logging
from typing import Any

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.db import DatabaseError
from django.db.models import QuerySet
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
from articles import selectors, services
from articles.models import Article, Comment
from core.errors import InvalidInput, NotFound
from core.throttles import CommentWriteThrottle

from .serializers import (
    ArticleDetailOutputSerializer,
    ArticleOutputSerializer,
    CommentCreateInputSerializer,
    CommentEditInputSerializer,
    CommentOutputSerializer,
    ThreadOutputSerializer,
    comment_payload,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"

logger = logging.getLogger(__name__)


def _viewer(request: Request) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _article(slug: str, *, with_counts: bool = True) -> Article:
    stories = (
        selectors.article_list() if with_counts else selectors.published_articles()
    )
    article = stories.filter(slug=slug).first()
    if article is None:
        raise NotFound(f"There is no story {slug!r}.", code="article_not_found")
    return article


def _with_latest_status(comment: Comment) -> Comment:
    """The comment with its status as of now, if the database can still say.

    The write is committed when this runs; scoring in-process (no broker) may
    already have decided it. A failure to read that back must not turn a saved
    comment into a 500 (a client would post it again): the answer then gives the
    status as saved, which is true and which polling will update.
    """
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
        return selectors.article_list()


class ArticleDetailApi(generics.RetrieveAPIView[Article]):
    serializer_class = ArticleDetailOutputSerializer
    lookup_field = "slug"

    def get_object(self) -> Article:
        return _article(self.kwargs["slug"])


class ThreadApi(APIView):
    throttle_classes = [CommentWriteThrottle]
    throttle_scope = "comment_write"

    @extend_schema(
        parameters=[
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(selectors.SORTS)),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses=ThreadOutputSerializer,
    )
    def get(self, request: Request, slug: str) -> Response:
        """A page of the story's thread: top-level comments with all their replies."""
        article = _article(slug, with_counts=False)
        page = selectors.thread_for_article(
            article=article,
            viewer=_viewer(request),
            sort=request.query_params.get("sort", "oldest"),
            page=request.query_params.get("page", "1"),
            per_page=settings.PARLEY_THREAD_PAGE_SIZE,
            max_indent=10**6,
        )
        base = request.build_absolute_uri(request.path)

        def link(number: int) -> str:
            return f"{base}?sort={page.sort}&page={number}"

        return Response(
            {
                "count": page.total_top_level,
                "page": page.number,
                "num_pages": page.num_pages,
                "next": link(page.number + 1) if page.has_next else None,
                "previous": link(page.number - 1) if page.has_previous else None,
                "sort": page.sort,
                "results": [
                    comment_payload(item.comment, tombstone=item.tombstone)
                    for item in page.items
                ],
            }
        )

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
        serializer = CommentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parent = None
        parent_id = serializer.validated_data.get("parent_id")
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
            body=serializer.validated_data["body"],
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
