"""The queues' filters: story section, pipeline reason, score band, author."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from articles.models import Article
from moderation import selectors
from moderation.reasons import PipelineReason


class SectionFilter(admin.SimpleListFilter):
    title = "section"
    parameter_name = "section"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        sections = Article.objects.values_list("section", flat=True).distinct()
        return [(s, s) for s in sorted(sections)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(article__section=self.value())
        return queryset


class ReasonFilter(admin.SimpleListFilter):
    title = "reason"
    parameter_name = "reason"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(v), str(v)) for v in PipelineReason.values]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        code = self.value()
        if not code:
            return queryset
        if code == PipelineReason.REPORTED:
            return queryset.filter(reports__isnull=False).distinct()
        return selectors.with_reason(queryset, code)


class ScoreBandFilter(admin.SimpleListFilter):
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
        if value == "none":
            return queryset.filter(pipeline_result__toxicity__isnull=True)
        if value in self.BANDS:
            low, high = self.BANDS[value]
            return queryset.filter(
                pipeline_result__toxicity__gte=low, pipeline_result__toxicity__lt=high
            )
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
