"""The site's rules: word rules (with a try-out page), thresholds, per-story policy."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from articles.cache import story_versions_bump
from articles.models import Article
from moderation.models import ModerationSettings, WordRule
from moderation.services.rules import rule_preview

from .common import can


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
    list_display = ("pattern", "kind", "is_active", "note", "created_at")
    list_filter = ("kind", "is_active")
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
            rule_preview(pattern=form.cleaned_data["pattern"])
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


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(RulesAdmin):
    list_display = (
        "__str__",
        "hold_threshold",
        "new_commenter_count",
        "report_hold_weight",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

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
        """Per-story pre-moderation and automatic closing, for moderators."""

        list_display = (
            "title",
            "section",
            "published_at",
            "moderation_policy",
            "comments_open",
            "close_comments_after_days",
        )
        list_filter = ("section", "moderation_policy", "comments_open")
        search_fields = ("title", "slug")
        fields = (
            "title",
            "section",
            "published_at",
            "moderation_policy",
            "comments_open",
            "close_comments_after_days",
        )
        readonly_fields = ("title", "section", "published_at")

        def save_model(
            self, request: HttpRequest, obj: Article, form: Any, change: bool
        ) -> None:
            super().save_model(request, obj, form, change)
            # Closing or re-opening comments changes every cached thread page.
            story_versions_bump([obj.pk])
