"""The audit trail, readers' reports and authors' standings: read-only for everyone.

Decisions and reports quote the comment and link to it, and link people to their
comments in the queues (moderators may not open the user admin)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from moderation.models import AuthorStanding, Decision, Report

from . import columns as audit_columns


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
        "comment_column",
        "from_status",
        "to_status",
        "source",
        "actor_column",
        "rejection_reason",
        "toxicity_column",
        "note",
    )
    list_filter = ("source", "to_status", "rejection_reason", "created_at")
    list_select_related = ("actor", "comment")
    search_fields = ("comment__body", "actor__username", "note")
    fields = (*list_display, "reasons", "model_version")
    readonly_fields = fields

    @admin.display(description="Comment")
    def comment_column(self, obj: Decision) -> SafeString:
        return audit_columns.comment_text(obj.comment)

    @admin.display(description="By", ordering="actor__username")
    def actor_column(self, obj: Decision) -> SafeString | str:
        if obj.actor is None:
            return obj.get_source_display()
        return audit_columns.person_record(obj.actor)

    @admin.display(description="Score", ordering="toxicity")
    def toxicity_column(self, obj: Decision) -> str:
        return audit_columns.two_decimals(obj.toxicity)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "comment_column",
        "reporter_column",
        "reason",
        "note",
        "weight_column",
        "resolution",
        "resolved_by_column",
    )
    list_filter = ("resolution", "reason", "created_at")
    list_select_related = (
        "reporter",
        "reporter__reporter_record",
        "resolved_by",
        "comment",
    )
    fields = (*list_display, "resolved_at")
    readonly_fields = fields

    @admin.display(description="Comment")
    def comment_column(self, obj: Report) -> SafeString:
        return audit_columns.comment_text(obj.comment)

    @admin.display(description="Reporter", ordering="reporter__username")
    def reporter_column(self, obj: Report) -> SafeString:
        record = getattr(obj.reporter, "reporter_record", None)
        summary = (
            f"{record.upheld} upheld, {record.overruled} overruled"
            if record is not None
            else "first report"
        )
        return format_html(
            "{}<br><small>{}</small>",
            audit_columns.person_record(obj.reporter),
            summary,
        )

    @admin.display(description="Weight", ordering="weight")
    def weight_column(self, obj: Report) -> str:
        return audit_columns.two_decimals(obj.weight)

    @admin.display(description="Resolved by")
    def resolved_by_column(self, obj: Report) -> SafeString | str:
        return audit_columns.person_record(obj.resolved_by)


@admin.register(AuthorStanding)
class AuthorStandingAdmin(ReadOnlyAdmin):
    list_display = ("user", "premoderated", "suspended_until", "banned", "updated_at")
    list_filter = ("premoderated", "banned")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__display_name")
