"""Staff's side: problem-report triage, the appeals queue, and the email log."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from accounts.models import User
from articles.models import Comment
from core.errors import ServiceError

from . import selectors, services
from .models import Appeal, EmailDelivery, Notification, ProblemReport


class SuperuserDeleteOnly:
    """Only superusers keep the bulk delete action: records here are evidence."""

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)  # type: ignore[misc]
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101  (admin requires a user)
    return request.user


@admin.register(ProblemReport)
class ProblemReportAdmin(SuperuserDeleteOnly, admin.ModelAdmin[ProblemReport]):
    list_display = (
        "id",
        "kind",
        "status",
        "assignee",
        "reporter",
        "article",
        "error_reference",
        "created_at",
        "replied_at",
    )
    list_filter = ("status", "kind", "assignee")
    list_select_related = ("assignee", "reporter", "article")
    search_fields = ("description", "email", "error_reference", "reporter__username")
    date_hierarchy = "created_at"
    readonly_fields = (
        "kind",
        "description",
        "email",
        "reporter",
        "article",
        "user_agent",
        "error_reference",
        "comments_with_history",
        "created_at",
        "replied_at",
        "emails_sent",
    )
    fieldsets = (
        (
            "From the reader",
            {
                "fields": (
                    "kind",
                    "description",
                    "email",
                    "reporter",
                    "article",
                    "comments_with_history",
                    "error_reference",
                    "user_agent",
                    "created_at",
                )
            },
        ),
        ("Triage", {"fields": ("status", "assignee", "internal_notes")}),
        ("Reply to the reader", {"fields": ("reply", "replied_at", "emails_sent")}),
    )
    actions = ("send_reply", "mark_investigating", "mark_resolved", "mark_wont_fix")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Reader's latest comments on the story")
    def comments_with_history(self, obj: ProblemReport) -> str:
        if not obj.recent_comments:
            return "—"
        return format_html_join(
            "",
            "<div>Comment {} ({} at report time): "
            '<a href="{}">full decision history</a></div>',
            (
                (
                    item.get("id"),
                    item.get("status"),
                    reverse(
                        "admin:readers_problemreport_comment_history",
                        args=(item.get("id"),),
                    ),
                )
                for item in obj.recent_comments
                if isinstance(item, dict)
            ),
        )

    @admin.display(description="Emails")
    def emails_sent(self, obj: ProblemReport) -> str:
        rows = obj.emails.order_by("created_at")
        if not rows:
            return "—"
        return format_html_join(
            "",
            "<div>{}: {} (attempts {}) {}</div>",
            (
                (
                    e.created_at.strftime("%Y-%m-%d %H:%M"),
                    e.status,
                    e.attempts,
                    e.last_error,
                )
                for e in rows
            ),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "comment-history/<int:comment_id>/",
                self.admin_site.admin_view(self.comment_history_view),
                name="readers_problemreport_comment_history",
            ),
            *super().get_urls(),
        ]

    def comment_history_view(
        self, request: HttpRequest, comment_id: int
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        comment = get_object_or_404(
            Comment.objects.select_related("article", "author"), pk=comment_id
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Decision history of comment {comment.pk}",
            "comment": comment,
            "decisions": selectors.decision_history(comment_id=comment.pk),
            "revisions": comment.revisions.all(),
            "appeals": comment.appeals.select_related("decided_by"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/readers/comment_history.html", context)

    def save_model(
        self, request: HttpRequest, obj: ProblemReport, form: Any, change: bool
    ) -> None:
        # A status change goes through the service, which tells the reader.
        new_status = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial.get("status", obj.status)
        super().save_model(request, obj, form, change)
        if obj.status != new_status:
            services.problem_report_set_status(
                report=obj, status=new_status, staff=_staff(request)
            )

    @admin.action(
        description="Email the written reply to the reader", permissions=["change"]
    )
    def send_reply(
        self, request: HttpRequest, queryset: QuerySet[ProblemReport]
    ) -> None:
        sent = 0
        for report in queryset:
            try:
                services.problem_report_reply(report=report, staff=_staff(request))
            except ServiceError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request, f"{sent} repl{pluralize(sent, 'y,ies')} queued for sending."
            )

    def _set_status(
        self, request: HttpRequest, queryset: QuerySet[ProblemReport], status: str
    ) -> None:
        for report in queryset:
            services.problem_report_set_status(
                report=report, status=status, staff=_staff(request)
            )
        count = queryset.count()
        self.message_user(request, f"{count} report{pluralize(count)} updated.")

    @admin.action(description="Mark as investigating", permissions=["change"])
    def mark_investigating(
        self, request: HttpRequest, queryset: QuerySet[ProblemReport]
    ) -> None:
        self._set_status(request, queryset, ProblemReport.Status.INVESTIGATING)

    @admin.action(
        description="Mark as resolved (tells the reader)", permissions=["change"]
    )
    def mark_resolved(
        self, request: HttpRequest, queryset: QuerySet[ProblemReport]
    ) -> None:
        self._set_status(request, queryset, ProblemReport.Status.RESOLVED)

    @admin.action(
        description="Mark as won't fix (tells the reader)", permissions=["change"]
    )
    def mark_wont_fix(
        self, request: HttpRequest, queryset: QuerySet[ProblemReport]
    ) -> None:
        self._set_status(request, queryset, ProblemReport.Status.WONT_FIX)


@admin.register(Appeal)
class AppealAdmin(SuperuserDeleteOnly, admin.ModelAdmin[Appeal]):
    """The appeals queue: oldest pending first; decided by another moderator."""

    list_display = (
        "comment_link",
        "appellant",
        "status",
        "rejected_by",
        "created_at",
        "excerpt",
        "note",
        "decided_by",
    )
    list_filter = ("status",)
    list_select_related = ("comment", "appellant", "rejected_by", "decided_by")
    ordering = ("status", "created_at")
    readonly_fields = (
        "comment_link",
        "excerpt",
        "appellant",
        "note",
        "rejected_by",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
        "created_at",
    )
    exclude = ("comment",)
    actions = ("uphold", "overturn")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("readers.decide_appeal")

    @admin.display(description="Comment")
    def comment_link(self, obj: Appeal) -> str:
        url = reverse(
            "admin:readers_problemreport_comment_history", args=(obj.comment_id,)
        )
        return format_html('<a href="{}">Comment {} (history)</a>', url, obj.comment_id)

    @admin.display(description="Text")
    def excerpt(self, obj: Appeal) -> str:
        return obj.comment.body[:200]

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[Appeal], *, overturn: bool
    ) -> None:
        done = 0
        for appeal in queryset:
            try:
                services.appeal_decide(
                    appeal=appeal, moderator=_staff(request), overturn=overturn
                )
            except ServiceError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                done += 1
        if done:
            verb = "overturned (comments published)" if overturn else "upheld"
            self.message_user(request, f"{done} appeal{pluralize(done)} {verb}.")

    @admin.action(description="Uphold the rejection", permissions=["decide"])
    def uphold(self, request: HttpRequest, queryset: QuerySet[Appeal]) -> None:
        self._decide(request, queryset, overturn=False)

    @admin.action(description="Overturn: publish the comment", permissions=["decide"])
    def overturn(self, request: HttpRequest, queryset: QuerySet[Appeal]) -> None:
        self._decide(request, queryset, overturn=True)


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(SuperuserDeleteOnly, admin.ModelAdmin[EmailDelivery]):
    """Every email and its delivery status, to answer "I never got the email"."""

    list_display = (
        "to_address",
        "subject",
        "purpose",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "purpose")
    search_fields = ("to_address", "recipient__username", "subject")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: EmailDelivery | None = None
    ) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(SuperuserDeleteOnly, admin.ModelAdmin[Notification]):
    list_display = ("recipient", "kind", "message", "created_at", "read_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)
    search_fields = ("recipient__username",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Notification | None = None
    ) -> bool:
        return False
