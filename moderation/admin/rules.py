"""The site's rules: word rules (with a try-out page), thresholds, per-story policy."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from articles.cache import story_versions_bump
from articles.models import Article
from moderation.models import ModerationSettings, WordRule
from moderation.services import thresholds
from moderation.services.rules import rule_preview
from sites.models import Site

from .common import can, site_scope
from .filters import RuleSiteFilter, StorySiteFilter


class RulesAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request, "edit_rules")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request, "edit_rules")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


class TryRuleForm(forms.Form):
    pattern = forms.CharField(
        label="Pattern",
        max_length=100,
        help_text=WordRule._meta.get_field("pattern").help_text,
    )


@admin.register(WordRule)
class WordRuleAdmin(RulesAdmin):
    list_display = ("pattern", "kind", "site", "is_active", "note", "created_at")
    list_filter = (RuleSiteFilter, "kind", "is_active")
    list_select_related = ("site",)
    readonly_fields = ("created_at",)

    # A moderator limited to some sites sees the rules for every site and their
    # sites' own, and changes only their sites' own.
    def get_queryset(self, request: HttpRequest) -> QuerySet[WordRule]:
        scope = site_scope(request)
        rules = super().get_queryset(request)
        if scope is None:
            return rules
        return rules.filter(Q(site__isnull=True) | Q(site_id__in=scope))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.site_id is None and site_scope(request) is not None:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        scope = site_scope(request)
        if db_field.name == "site" and scope is not None:
            kwargs["queryset"] = Site.objects.filter(pk__in=scope)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    search_fields = ("pattern", "note")
    change_list_template = "admin/moderation/wordrule_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "try/",
                self.admin_site.admin_view(self.try_rule_view),
                name="moderation_wordrule_try",
            ),
            *super().get_urls(),
        ]

    def try_rule_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = TryRuleForm(request.GET or None)
        preview = (
            rule_preview(
                pattern=form.cleaned_data["pattern"], site_ids=site_scope(request)
            )
            if (form.is_valid())
            else None
        )
        return TemplateResponse(
            request,
            "admin/moderation/try_rule.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Try a word rule on recent comments",
                "form": form,
                "preview": preview,
            },
        )


class ModerationSettingsForm(forms.ModelForm):
    class Meta:
        model = ModerationSettings
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        reject = cleaned.get("reject_threshold")
        if reject is None or "hold_threshold" in self.errors:
            return cleaned
        hold = thresholds.hold_threshold_in_force(
            settings=ModerationSettings(hold_threshold=cleaned.get("hold_threshold"))
        )
        if reject < hold.value:
            self.add_error(
                "reject_threshold",
                f"The reject threshold ({reject:g}) is below the hold threshold "
                f"in force ({hold.value:g}, {_source_label(hold)}). A comment "
                "is never rejected by score below the hold threshold, so set "
                f"it to at least {hold.value:g}.",
            )
        return cleaned


def _source_label(hold: thresholds.HoldThreshold) -> str:
    if hold.source is thresholds.ThresholdSource.MODERATOR:
        return "set by a moderator"
    if hold.source is thresholds.ThresholdSource.MODEL:
        return f"the operating point of {hold.model_version}"
    return "the fallback: the active model names no operating point"


def _held(count: int | None, scored: int) -> str:
    if count is None:
        return "—"
    if not scored:
        return "no comments scored yet"
    return f"{count:,} of {scored:,} ({100 * count / scored:.1f} %)"


def threshold_overview(
    hold: thresholds.HoldThreshold, preview: thresholds.HoldPreview
) -> SafeString:
    """Both candidates, which one is in force, and what each would have held."""
    in_force = mark_safe(" <strong>in force</strong>")
    model_label = (
        f"Model's operating point ({hold.model_version})"
        if hold.model_version
        else "Model's operating point (no active model)"
    )
    model_value = (
        f"{hold.model_point:g}"
        if hold.model_point is not None
        else f"none named (falls back to {thresholds.FALLBACK_HOLD_THRESHOLD:g})"
    )
    moderator_value = (
        f"{hold.moderator_value:g}"
        if hold.moderator_value is not None
        else "not set (following the model)"
    )
    rows = [
        (
            model_label,
            model_value,
            in_force if hold.follows_model else "",
            _held(preview.held_by_model_point, preview.scored),
        ),
        (
            "Moderator's value",
            moderator_value,
            "" if hold.follows_model else in_force,
            _held(preview.held_by_moderator_value, preview.scored),
        ),
    ]
    body = format_html_join("", "<tr><th>{}</th><td>{}{}</td><td>{}</td></tr>", rows)
    return format_html(
        '<table class="threshold-overview"><thead><tr><th></th><th>threshold</th>'
        "<th>would have held, of the last {} comments scored by the active "
        "model</th></tr></thead><tbody>{}</tbody></table>"
        "<p>In force: <strong>{}</strong> ({}).</p>",
        f"{thresholds.PREVIEW_COMMENTS:,}",
        body,
        f"{hold.value:g}",
        _source_label(hold),
    )


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(RulesAdmin):
    form = ModerationSettingsForm
    list_display = (
        "__str__",
        "hold_threshold",
        "new_commenter_count",
        "report_hold_weight",
        "updated_at",
    )
    readonly_fields = ("hold_threshold_overview",)
    fieldsets = (
        (
            "Scores",
            {
                "fields": (
                    "hold_threshold_overview",
                    "hold_threshold",
                    "reject_threshold",
                    "auto_reject_by_score",
                )
            },
        ),
        (
            "Authors and posts",
            {
                "fields": (
                    "new_commenter_count",
                    "recent_rejections_count",
                    "recent_rejections_days",
                    "repeat_window_minutes",
                    "burst_window_minutes",
                    "burst_accounts",
                    "max_links",
                    "report_hold_weight",
                )
            },
        ),
    )

    @admin.display(description="Hold threshold in force")
    def hold_threshold_overview(self, obj: ModerationSettings) -> SafeString:
        hold = thresholds.hold_threshold_in_force(settings=obj)
        return threshold_overview(
            hold, thresholds.hold_threshold_preview(threshold=hold)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The thresholds apply to every site: not for a moderator of some sites.
        return site_scope(request) is None and super().has_change_permission(
            request, obj
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # One row: the list goes straight to it.
        obj = ModerationSettings.get_or_create_current()
        return HttpResponseRedirect(
            reverse("admin:moderation_moderationsettings_change", args=[obj.pk])
        )


if not admin.site.is_registered(Article):

    @admin.register(Article)
    class StoryAdmin(RulesAdmin):
        """Per-story pre-moderation and automatic closing, for moderators; the title
        and URL a page's embed gave can be corrected here."""

        list_display = (
            "title",
            "site",
            "section",
            "published_at",
            "moderation_policy",
            "comments_open",
            "close_comments_after_days",
        )
        list_filter = (StorySiteFilter, "section", "moderation_policy", "comments_open")
        list_select_related = ("site",)
        search_fields = ("title", "slug", "external_id")
        fields = (
            "title",
            "url",
            "site",
            "external_id",
            "section",
            "published_at",
            "moderation_policy",
            "comments_open",
            "close_comments_after_days",
        )
        readonly_fields = ("site", "external_id", "section", "published_at")
        # A story URL typed without a scheme is the newsroom's https page.
        formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

        def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
            scope = site_scope(request)
            stories = super().get_queryset(request)
            return stories if scope is None else stories.filter(site_id__in=scope)

        def save_model(
            self, request: HttpRequest, obj: Article, form: Any, change: bool
        ) -> None:
            super().save_model(request, obj, form, change)
            # Closing or re-opening comments, or a corrected title, changes every
            # cached page of the story.
            story_versions_bump([obj.pk])
