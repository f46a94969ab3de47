"""The audit trail, readers' reports and authors' standings: read-only for everyone."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from moderation.models import AuthorStanding, Decision, Report


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "comment_id",
        "from_status",
        "to_status",
        "source",
        "actor",
        "rejection_reason",
        "toxicity",
        "note",
    )
    list_filter = ("source", "to_status", "rejection_reason", "created_at")
    list_select_related = ("actor",)
    search_fields = ("comment__body", "actor__username", "note")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "comment_id",
        "reporter",
        "reason",
        "note",
        "weight",
        "resolution",
        "resolved_by",
    )
    list_filter = ("resolution", "reason", "created_at")
    list_select_related = ("reporter", "resolved_by")


@admin.register(AuthorStanding)
class AuthorStandingAdmin(ReadOnlyAdmin):
    list_display = ("user", "premoderated", "suspended_until", "banned", "updated_at")
    list_filter = ("premoderated", "banned")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__display_name")
