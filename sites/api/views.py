"""The story API for a site's CMS, and the batch comment counts for count.js."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput, NotFound
from core.throttles import StoryWriteThrottle

from .. import selectors, services
from .serializers import StoryInputSerializer, StoryOutputSerializer


def _bearer(request: Request) -> str:
    auth = request.headers.get("Authorization", "")
    scheme, _, key = auth.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


class StoryApi(APIView):
    """PUT /api/v1/sites/{site}/stories/{external_id}: create or update a story.

    Authenticated with one of the site's API keys (`Authorization: Bearer pk_…`).
    Idempotent: the same request twice leaves the same story.
    """

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [StoryWriteThrottle]
    throttle_scope = "story_write"

    @extend_schema(
        request=StoryInputSerializer,
        responses={200: StoryOutputSerializer, 201: StoryOutputSerializer},
    )
    def put(self, request: Request, site: str, external_id: str) -> Response:
        known = services.site_for_api_key(site_slug=site, raw_key=_bearer(request))
        data = StoryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = services.StoryFields(**data.validated_data)
        article, created = services.story_upsert(
            site=known, external_id=external_id, fields=fields
        )
        return Response(
            StoryOutputSerializer(article, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CountsApi(APIView):
    """GET /api/v1/counts?site=…&stories=a,b,c: published comments per story id."""

    authentication_classes: list[type] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("site", OpenApiTypes.STR, required=True),
            OpenApiParameter(
                "stories", OpenApiTypes.STR, required=True, description="Comma list."
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        site = selectors.request_site(request, request.query_params.get("site", ""))
        if site is None:
            raise NotFound("There is no such site.", code="unknown_site")
        ids = [
            s.strip()
            for s in request.query_params.get("stories", "").split(",")
            if s.strip()
        ]
        if not ids or len(ids) > selectors.MAX_COUNT_IDS:
            raise InvalidInput(
                f"Ask for 1 to {selectors.MAX_COUNT_IDS} story ids, comma-separated.",
                code="bad_ids",
            )
        counts = selectors.story_counts(
            site=site, external_ids=list(dict.fromkeys(ids))
        )
        response = Response({"site": site.slug, "counts": counts})
        response["Cache-Control"] = "public, max-age=30"
        return response
