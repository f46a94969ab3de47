"""The queues' filters: site, story, section, pipeline reason, score band, author.

On the ranked queues (Needs review, Reported) they read the queue's stored rows
(`selectors.queue_narrow`), so a filtered page is still one index range, and each
is remembered on the request so the page's count reads those rows alone.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from articles.models import Article
from moderation import selectors
from moderation.reasons import PipelineReason
from sites.models import Site

from .common import site_scope


def _queue_name(model_admin: Any) -> str:
    return str(getattr(model_admin, "queue_name", ""))


class QueueFilter(admin.SimpleListFilter):
    """A filter that knows which queue it narrows."""

    def __init__(
        self,
        request: HttpRequest,
        params: dict[str, Any],
        model: Any,
        model_admin: Any,
    ) -> None:
        self.queue_name = _queue_name(model_admin)
        super().__init__(request, params, model, model_admin)

    def narrow(
        self, request: HttpRequest, queryset: QuerySet[Any], lookup: str, value: object
    ) -> QuerySet[Any]:
        narrowing = (lookup, value)
        if self.queue_name in selectors.RANKED:
            stored_narrowing(request).append(narrowing)
        return selectors.queue_narrow(queryset, self.queue_name, narrowing)


def stored_narrowing(request: HttpRequest) -> list[selectors.Narrowing]:
    """The filters of this request that a ranked queue read from its stored rows."""
    if not hasattr(request, "_parley_stored_narrowing"):
        request._parley_stored_narrowing = []  # type: ignore[attr-defined]
    found: list[selectors.Narrowing] = request._parley_stored_narrowing  # type: ignore[attr-defined]
    return found


class StoryFilter(QueueFilter):
    """The stories of the queue's comments. A ranked queue lists the stories with
    the most comments waiting (a backlog spans thousands of stories), plus the
    one chosen from a comment's row; the other queues list all of theirs."""

    title = "story"
    parameter_name = "article__id__exact"
    BUSIEST = 20

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        scope = site_scope(request)
        stories = Article.objects.order_by("title").only("pk", "title")
        if self.queue_name not in selectors.RANKED:
            ids = selectors.queue_story_ids(self.queue_name, site_ids=scope)
            return [(str(a.pk), a.title) for a in stories.filter(pk__in=ids)]
        busiest = selectors.queue_busiest_stories(
            self.queue_name, site_ids=scope, limit=self.BUSIEST
        )
        choices = [(str(pk), f"{title} ({n})") for pk, title, n in busiest]
        value = self.value()
        if value and value.isdigit() and value not in dict(choices):
            chosen = stories.filter(pk=int(value)).first()
            if chosen is not None:
                choices.append((value, chosen.title))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return self.narrow(request, queryset, "article_id", int(value))
        return queryset


class SiteFilter(QueueFilter):
    """The stories' site, among the sites this moderator may see."""

    title = "site"
    parameter_name = "site"
    field = "article__site__slug"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        sites = Site.objects.order_by("name")
        scope = site_scope(request)
        if scope is not None:
            sites = sites.filter(pk__in=scope)
        return [(s.slug, s.name) for s in sites]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return self.narrow(request, queryset, self.field, self.value())
        return queryset


class StorySiteFilter(SiteFilter):
    field = "site__slug"


class RuleSiteFilter(SiteFilter):
    field = "site__slug"


class SectionFilter(QueueFilter):
    title = "section"
    parameter_name = "section"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(s, s) for s in selectors.story_sections()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return self.narrow(request, queryset, "article__section", self.value())
        return queryset


class ReasonFilter(QueueFilter):
    title = "reason"
    parameter_name = "reason"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(v), str(v)) for v in PipelineReason.values]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        code = self.value()
        if not code:
            return queryset
        if code == PipelineReason.REPORTED and self.queue_name not in selectors.RANKED:
            return queryset.filter(reports__isnull=False).distinct()
        return self.narrow(request, queryset, "reason", code)


class ScoreBandFilter(QueueFilter):
    title = "score band"
    parameter_name = "score"
    BANDS = {
        "low": (0.0, 0.25),
        "mid": (0.25, 0.5),
        "high": (0.5, 0.75),
        "very": (0.75, 1.01),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("low", "under 0.25"),
            ("mid", "0.25 to 0.5"),
            ("high", "0.5 to 0.75"),
            ("very", "0.75 and over"),
            ("none", "not scored"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        toxicity = "pipeline_result__toxicity"
        if value == "none":
            return self.narrow(request, queryset, f"{toxicity}__isnull", True)
        if value in self.BANDS:
            low, high = self.BANDS[value]
            queryset = self.narrow(request, queryset, f"{toxicity}__gte", low)
            return self.narrow(request, queryset, f"{toxicity}__lt", high)
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    """Set by the "all their comments" link; shows only when in use."""

    title = "author"
    parameter_name = "author"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = request.GET.get(self.parameter_name, "")
        user = User.objects.filter(pk=value).first() if value.isdigit() else None
        return [(str(user.pk), str(user))] if user else []

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(author_id=int(value))
        return queryset
