"""The moderators' workplace: queues, one page per comment, actions, rules, models.

Admin actions and the review page are thin: they read with `moderation.selectors`
and act with `moderation.services.actions`, which write the audit rows. The page
each moderator saw travels with the request (`seen_<id>` = the newest decision
shown), so two moderators acting at once never silently overwrite each other.
"""

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accounts.models import User
from articles.errors import ServiceError
from articles.models import Article, Comment, CommentStatus
from moderation import admin_audit_columns as audit_columns
from moderation import selectors
from moderation.highlight import highlight
from moderation.models import (
    AllComment,
    ApprovedComment,
    AuthorStanding,
    Decision,
    ModelVersion,
    ModerationSettings,
    NeedsReviewComment,
    PendingComment,
    RejectedComment,
    Report,
    ReportedComment,
    WordRule,
)
from moderation.reasons import Reason, RejectionReason
from moderation.services import actions, registry
from moderation.services.rules import rule_preview
from moderation.tasks import comment_rescore_task

DEFAULT_REJECTION_REASON = RejectionReason.ABUSIVE
EXCERPT_CHARS = 400

admin.site.index_template = "admin/moderation/index.html"
admin.site.site_header = "Parley moderation"
admin.site.index_title = "Moderators' workplace"


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _can(request: HttpRequest, perm: str) -> bool:
    return request.user.is_active and request.user.has_perm(f"moderation.{perm}")


def _seen(request: HttpRequest, pk: int) -> int | None:
    raw = request.POST.get(f"seen_{pk}")
    return int(raw) if raw is not None and raw.isdigit() else None


class DecideForm(ActionForm):
    """Extra fields beside the bulk-action menu (reason, suspension, note)."""

    reason = forms.ChoiceField(
        label="Reason",
        choices=RejectionReason.choices,
        initial=DEFAULT_REJECTION_REASON,
        required=False,
    )
    days = forms.ChoiceField(
        label="Suspend for",
        choices=[("1", "1 day"), ("7", "7 days"), ("custom", "custom:")],
        initial="1",
        required=False,
    )
    custom_days = forms.IntegerField(
        label="days", min_value=1, max_value=365, required=False
    )
    # Not ticked by default: rejecting more than the moderator looked at is a
    # choice they make, not one they must notice to avoid.
    reject_held = forms.BooleanField(
        label="also reject their held comments", initial=False, required=False
    )
    note = forms.CharField(label="Note", required=False, max_length=1000)


class ReviewForm(forms.Form):
    """The review page's form: one submit button per action."""

    reason = forms.ChoiceField(
        label="Rejection reason (shown to the author)",
        choices=RejectionReason.choices,
        initial=DEFAULT_REJECTION_REASON,
    )
    days = forms.ChoiceField(
        label="Suspend for",
        choices=[("1", "1 day"), ("7", "7 days"), ("custom", "Custom")],
        initial="1",
    )
    custom_days = forms.IntegerField(
        label="Custom days", min_value=1, max_value=365, required=False
    )
    reject_held = forms.BooleanField(
        label="When banning, also reject their held comments",
        initial=False,
        required=False,
    )
    note = forms.CharField(
        label="Note (for moderators)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _suspension_days(data: dict[str, Any]) -> int:
    if data.get("days") == "custom":
        return int(data.get("custom_days") or 0)
    return int(data.get("days") or 1)


# -- filters ---------------------------------------------------------------


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
        return [(str(v), str(v)) for v in Reason.values]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        code = self.value()
        if not code:
            return queryset
        if code == Reason.REPORTED:
            return queryset.filter(reports__isnull=False).distinct()
        return queryset.annotate(
            reasons_text=Cast("pipeline_result__reasons", TextField())
        ).filter(reasons_text__contains=f'"{code}"')


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


# -- queues ----------------------------------------------------------------


class QueueAdmin(admin.ModelAdmin):
    queue_name = selectors.Queue.ALL
    change_list_template = "admin/moderation/queue_change_list.html"
    action_form = DecideForm
    list_per_page = 100
    list_display: tuple[str, ...] = (
        "priority_column",
        "comment_column",
        "story_column",
        "author_column",
        "reasons_column",
        "score_column",
        "reports_column",
        "waiting_column",
    )
    list_display_links = None
    list_filter = (
        ("article", admin.RelatedOnlyFieldListFilter),
        SectionFilter,
        ReasonFilter,
        ScoreBandFilter,
        "created_at",
        AuthorFilter,
    )
    search_fields = ("body", "author__username", "author__display_name")
    show_full_result_count = False
    actions: tuple[str, ...] = (
        "approve_comments",
        "reject_comments",
        "reject_and_suspend",
        "ban_authors",
        "premoderate_authors",
        "feature_comments",
    )

    # Permissions: moderators read and decide; nobody edits text or adds rows.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or _can(
            request, "decide_comment"
        )

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return _can(request, "decide_comment")

    def has_sanction_permission(self, request: HttpRequest) -> bool:
        return _can(request, "decide_comment") and _can(request, "sanction_author")

    def has_models_permission(self, request: HttpRequest) -> bool:
        return _can(request, "manage_models")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        if not request.user.is_superuser:
            found.pop("delete_selected", None)
        return found

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.queue(self.queue_name)

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        return selectors.queue_ordering(self.queue_name)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        title = str(self.model._meta.verbose_name_plural).split(". ", 1)[-1]
        return super().changelist_view(
            request,
            {
                "title": title,
                "action_fields_json": json.dumps(BULK_FIELDS),
                **(extra_context or {}),
            },
        )

    # -- columns --

    @admin.display(description="Priority", ordering="priority")
    def priority_column(self, obj: Comment) -> SafeString:
        o: Any = obj
        return format_html(
            '<input type="hidden" name="seen_{}" value="{}">'
            '<strong class="priority">{}</strong><span class="priority-parts" '
            'title="toxicity + reports + history + waiting">toxicity {}<br>'
            "reports {}<br>history {}<br>waiting {}</span>",
            obj.pk,
            o.seen_decision_id or 0,
            f"{o.priority:.0f}",
            f"{o.p_toxicity:.0f}",
            f"{o.p_reports:.0f}",
            o.p_history,
            o.p_waiting,
        )

    @admin.display(description="Comment")
    def comment_column(self, obj: Comment) -> SafeString:
        scores = getattr(obj, "active_scores", [])
        spans = scores[0].explanation if scores else []
        url = reverse(
            f"admin:moderation_{self.model._meta.model_name}_change", args=[obj.pk]
        )
        return format_html(
            '<div class="comment-text">{}</div><a class="review-link" href="{}">'
            "Review #{}</a>{}",
            highlight(obj.body, spans, limit=EXCERPT_CHARS),
            url,
            obj.pk,
            format_html(" · reply to #{}", obj.parent_id) if obj.parent_id else "",
        )

    @admin.display(description="Story", ordering="article__title")
    def story_column(self, obj: Comment) -> SafeString:
        return format_html(
            "{}<br><small>{}</small>", obj.article.title, obj.article.section
        )

    @admin.display(description="Author")
    def author_column(self, obj: Comment) -> SafeString:
        standing = getattr(obj.author, "standing", None)
        flags = []
        if standing is not None:
            if standing.banned:
                flags.append("banned")
            elif standing.is_suspended():
                flags.append("suspended")
            if standing.premoderated:
                flags.append("pre-moderated")
        o: Any = obj
        return format_html(
            '<a href="{}?author={}">{}</a><br><small>{} rejected{}</small>',
            reverse("admin:moderation_allcomment_changelist"),
            obj.author_id,
            obj.author,
            o.author_rejected,
            "; " + ", ".join(flags) if flags else "",
        )

    @admin.display(description="Reasons")
    def reasons_column(self, obj: Comment) -> SafeString | str:
        result = getattr(obj, "pipeline_result", None)
        codes = result.reason_codes if result else []
        if not codes:
            return "—"
        return format_html_join(
            ", ", '<span class="reason-code">{}</span>', [(c,) for c in codes]
        )

    @admin.display(description="Score", ordering="pipeline_result__toxicity")
    def score_column(self, obj: Comment) -> str:
        result = getattr(obj, "pipeline_result", None)
        if result is None or result.toxicity is None:
            return "—"
        return f"{result.toxicity:.2f}"

    @admin.display(description="Reports")
    def reports_column(self, obj: Comment) -> SafeString | str:
        reports = getattr(obj, "pending_reports", [])
        if not reports:
            return "—"
        o: Any = obj
        return format_html(
            "{} (weight {})<br><small>{}</small>",
            len(reports),
            f"{o.report_weight:.2f}",
            ", ".join(sorted({r.get_reason_display() for r in reports})),
        )

    @admin.display(description="Waiting", ordering="waiting_since")
    def waiting_column(self, obj: Comment) -> str:
        return _age(getattr(obj, "waiting_since", None) or obj.status_changed_at)

    # -- bulk actions --

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        outcome: str,
        act: Callable[[Comment, int | None], object],
    ) -> None:
        refused: list[str] = []
        done_ids: list[int] = []
        handled: set[int] = set()
        for comment in queryset.select_related(None).prefetch_related(None):
            handled.add(comment.pk)
            try:
                act(comment, _seen(request, comment.pk))
            except ServiceError as exc:
                refused.append(exc.message)
            else:
                done_ids.append(comment.pk)
        # Selected on the page but no longer in this queue: decided meanwhile.
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        for pk in sorted({int(s) for s in selected if s.isdigit()} - handled):
            latest = actions.latest_decision(pk)
            if latest is not None and latest.pk != _seen(request, pk):
                refused.append(actions.already_decided(latest))
        if done_ids:
            self.message_user(request, outcome_message(outcome, done_ids))
        for message in refused:
            self.message_user(request, message, level=messages.ERROR)

    def _form(self, request: HttpRequest) -> dict[str, Any]:
        form = DecideForm(request.POST)
        form.is_valid()
        return form.cleaned_data

    @admin.action(description="Approve (publish)", permissions=["decide"])
    def approve_comments(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        note = self._form(request).get("note", "")
        self._each(
            request,
            queryset,
            "approved",
            lambda c, seen: actions.comment_approve(
                comment=c, moderator=_user(request), note=note, seen_decision_id=seen
            ),
        )

    @admin.action(description="Reject with the reason chosen", permissions=["decide"])
    def reject_comments(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        data = self._form(request)
        reason = data.get("reason") or DEFAULT_REJECTION_REASON
        self._each(
            request,
            queryset,
            "rejected",
            lambda c, seen: actions.comment_reject(
                comment=c,
                moderator=_user(request),
                reason=reason,
                note=data.get("note", ""),
                seen_decision_id=seen,
            ),
        )

    @admin.action(description="Reject and suspend the author", permissions=["sanction"])
    def reject_and_suspend(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        data = self._form(request)
        self._each(
            request,
            queryset,
            "rejected; author suspended",
            lambda c, seen: actions.author_suspend(
                comment=c,
                moderator=_user(request),
                days=_suspension_days(data),
                reason=data.get("reason") or DEFAULT_REJECTION_REASON,
                note=data.get("note", ""),
                seen_decision_id=seen,
            ),
        )

    @admin.action(description="Reject and ban the author", permissions=["sanction"])
    def ban_authors(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        data = self._form(request)
        self._each(
            request,
            queryset,
            "rejected; author banned",
            lambda c, seen: actions.author_ban(
                comment=c,
                moderator=_user(request),
                reason=data.get("reason") or DEFAULT_REJECTION_REASON,
                note=data.get("note", ""),
                reject_held=bool(data.get("reject_held")),
                seen_decision_id=seen,
            ),
        )

    @admin.action(
        description="Always pre-moderate the author", permissions=["sanction"]
    )
    def premoderate_authors(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> None:
        self._each(
            request,
            queryset,
            "kept; author now pre-moderated",
            lambda c, seen: actions.author_premoderate(
                comment=c, moderator=_user(request), seen_decision_id=seen
            ),
        )

    @admin.action(description="Feature", permissions=["decide"])
    def feature_comments(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(
            request,
            queryset,
            "featured",
            lambda c, seen: actions.comment_feature(
                comment=c, moderator=_user(request), seen_decision_id=seen
            ),
        )

    @admin.action(description="Re-score with the active model", permissions=["models"])
    def rescore_comments(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        pairs = list(
            queryset.filter(status__in=(CommentStatus.PENDING, CommentStatus.HELD))
            .select_related(None)
            .prefetch_related(None)
            .values_list("pk", "text_version")
        )
        for pk, version in pairs:
            transaction.on_commit(partial(comment_rescore_task.delay, pk, version))
        self.message_user(request, f"Queued {len(pairs)} comments for re-scoring.")

    # -- the review page (replaces the change form) --

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        comment = get_object_or_404(
            Comment.objects.select_related("article", "author", "parent__author"),
            pk=object_id,
        )
        if not self.has_view_permission(request, comment):
            raise PermissionDenied
        if request.method == "POST":
            return self._decide(request, comment)
        return self._review(request, comment, ReviewForm())

    def _review(
        self,
        request: HttpRequest,
        comment: Comment,
        form: ReviewForm,
        status: int = 200,
    ) -> TemplateResponse:
        context = selectors.comment_context(comment)
        spans = context.score.explanation if context.score else []
        return TemplateResponse(
            request,
            "admin/moderation/review.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Review comment #{comment.pk}",
                "ctx": context,
                "body": highlight(comment.body, spans),
                "form": form,
                "can_decide": self.has_decide_permission(request),
                "can_sanction": self.has_sanction_permission(request),
                "all_by_author": reverse("admin:moderation_allcomment_changelist")
                + f"?author={comment.author_id}",
                "is_featured": hasattr(comment, "featured"),
            },
            status=status,
        )

    def _decide(self, request: HttpRequest, comment: Comment) -> HttpResponse:
        do = request.POST.get("do", "")
        sanctions = {"suspend", "ban", "premoderate", "unpremoderate", "lift"}
        allowed = (
            self.has_sanction_permission(request)
            if do in sanctions
            else self.has_decide_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return self._review(request, comment, form, status=400)
        data = form.cleaned_data
        moderator = _user(request)
        seen = _seen(request, comment.pk)
        common: dict[str, Any] = {"comment": comment, "moderator": moderator}
        calls: dict[str, Callable[[], object]] = {
            "approve": lambda: actions.comment_approve(
                **common, note=data["note"], seen_decision_id=seen
            ),
            "reject": lambda: actions.comment_reject(
                **common,
                reason=data["reason"],
                note=data["note"],
                seen_decision_id=seen,
            ),
            "suspend": lambda: actions.author_suspend(
                **common,
                days=_suspension_days(data),
                reason=data["reason"],
                note=data["note"],
                seen_decision_id=seen,
            ),
            "ban": lambda: actions.author_ban(
                **common,
                reason=data["reason"],
                note=data["note"],
                reject_held=data["reject_held"],
                seen_decision_id=seen,
            ),
            "premoderate": lambda: actions.author_premoderate(
                **common, note=data["note"], seen_decision_id=seen
            ),
            "unpremoderate": lambda: actions.author_premoderate(
                **common, premoderated=False, note=data["note"], seen_decision_id=seen
            ),
            "lift": lambda: actions.author_sanctions_lift(**common, note=data["note"]),
            "feature": lambda: actions.comment_feature(
                **common, note=data["note"], seen_decision_id=seen
            ),
            "unfeature": lambda: actions.comment_feature(
                **common, featured=False, note=data["note"], seen_decision_id=seen
            ),
        }
        if do not in calls:
            messages.error(request, "Choose an action.")
            return self._review(request, comment, form, status=400)
        try:
            calls[do]()
        except ServiceError as exc:
            messages.error(request, exc.message)
            return self._review(request, comment, form, status=exc.status)
        messages.success(request, outcome_message(REVIEW_OUTCOMES[do], [comment.pk]))
        return HttpResponseRedirect(self._next_url(comment))

    def _next_url(self, decided: Comment) -> str:
        """The next comment of this queue, so triage goes on without a list."""
        name = self.model._meta.model_name
        following = (
            selectors.queue(self.queue_name)
            .exclude(pk=decided.pk)
            .select_related(None)
            .prefetch_related(None)
            .values_list("pk", flat=True)
            .first()
        )
        if following is None or self.queue_name == selectors.Queue.ALL:
            return reverse(f"admin:moderation_{name}_changelist")
        return reverse(f"admin:moderation_{name}_change", args=[following])


REVIEW_OUTCOMES = {
    "approve": "approved",
    "reject": "rejected",
    "suspend": "rejected; author suspended",
    "ban": "rejected; author banned",
    "premoderate": "kept; author now pre-moderated",
    "unpremoderate": "kept; author no longer pre-moderated",
    "lift": "kept; author's sanctions lifted",
    "feature": "featured",
    "unfeature": "no longer featured",
}
# The inputs each bulk action reads, so the bar beside the menu shows only those.
BULK_FIELDS = {
    "approve_comments": ["note"],
    "reject_comments": ["reason", "note"],
    "reject_and_suspend": ["reason", "days", "custom_days", "note"],
    "ban_authors": ["reason", "reject_held", "note"],
    "premoderate_authors": [],
    "feature_comments": [],
    "rescore_comments": [],
}


def outcome_message(outcome: str, ids: list[int]) -> str:
    """ "Comment #32 approved." / "3 comments approved: #32, #33, #35." """
    if len(ids) == 1:
        return f"Comment #{ids[0]} {outcome}."
    listed = ", ".join(f"#{pk}" for pk in ids[:20])
    more = f" and {len(ids) - 20} more" if len(ids) > 20 else ""
    return f"{len(ids)} comments {outcome}: {listed}{more}."


def _age(when: Any) -> str:
    if when is None:
        return "—"
    minutes = int((timezone.now() - when).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // 1440} days"


@admin.register(NeedsReviewComment)
class NeedsReviewAdmin(QueueAdmin):
    queue_name = selectors.Queue.NEEDS_REVIEW
    actions = (*QueueAdmin.actions, "rescore_comments")


@admin.register(ReportedComment)
class ReportedAdmin(QueueAdmin):
    queue_name = selectors.Queue.REPORTED


@admin.register(PendingComment)
class PendingAdmin(QueueAdmin):
    queue_name = selectors.Queue.PENDING
    actions = (*QueueAdmin.actions, "rescore_comments")


@admin.register(ApprovedComment)
class ApprovedAdmin(QueueAdmin):
    queue_name = selectors.Queue.APPROVED


@admin.register(RejectedComment)
class RejectedAdmin(QueueAdmin):
    queue_name = selectors.Queue.REJECTED


@admin.register(AllComment)
class AllCommentsAdmin(QueueAdmin):
    queue_name = selectors.Queue.ALL
    list_display = ("status", *QueueAdmin.list_display)
    list_filter = ("status", *QueueAdmin.list_filter)  # type: ignore[assignment]


# -- audit trail and reports (read-only) -----------------------------------


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
    fields = (
        "created_at",
        "comment_column",
        "from_status",
        "to_status",
        "source",
        "actor_column",
        "rejection_reason",
        "reasons",
        "toxicity_column",
        "model_version",
        "note",
    )
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
    fields = (
        "created_at",
        "comment_column",
        "reporter_column",
        "reason",
        "note",
        "weight_column",
        "resolution",
        "resolved_by_column",
        "resolved_at",
    )
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


# -- rules -----------------------------------------------------------------


class RulesAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return _can(request, "edit_rules")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _can(request, "edit_rules")

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
        obj = ModerationSettings.current()
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


# -- model registry --------------------------------------------------------


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "is_active",
        "is_shadow",
        "metrics_column",
        "threshold",
        "activated_at",
        "disagreements_link",
    )
    readonly_fields = (
        "version",
        "path",
        "metrics",
        "threshold",
        "is_active",
        "is_shadow",
        "created_at",
        "activated_at",
    )
    actions = ("activate", "shadow_on", "shadow_off")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_models_permission(self, request: HttpRequest) -> bool:
        return _can(request, "manage_models")

    @admin.display(description="Metrics")
    def metrics_column(self, obj: ModelVersion) -> SafeString:
        flat = _flat_metrics(obj.metrics)
        return format_html_join(
            "", "<div><small>{}: {}</small></div>", list(flat.items())[:8]
        )

    @admin.display(description="Shadow vs active")
    def disagreements_link(self, obj: ModelVersion) -> SafeString | str:
        if not obj.is_shadow:
            return "—"
        return format_html(
            '<a href="{}">disagreements</a>',
            reverse("admin:moderation_modelversion_disagreements", args=[obj.pk]),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/disagreements/",
                self.admin_site.admin_view(self.disagreements_view),
                name="moderation_modelversion_disagreements",
            ),
            *super().get_urls(),
        ]

    def disagreements_view(self, request: HttpRequest, pk: int) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        shadow = get_object_or_404(ModelVersion, pk=pk)
        return TemplateResponse(
            request,
            "admin/moderation/disagreements.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Where {shadow.version} and the active model disagree",
                "shadow": shadow,
                "threshold": ModerationSettings.current().hold_threshold,
                "rows": selectors.shadow_disagreements(shadow=shadow),
            },
        )

    @admin.action(description="Activate (exactly one)", permissions=["models"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        if queryset.count() != 1:
            self.message_user(
                request, "Select exactly one model to activate.", messages.ERROR
            )
            return
        row = registry.model_version_activate(model_version=queryset.get())
        self.message_user(request, f"{row.version} is now the active model.")

    @admin.action(description="Put in shadow mode", permissions=["models"])
    def shadow_on(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for row in queryset.filter(is_active=False):
            registry.model_version_set_shadow(model_version=row, shadow=True)
        self.message_user(request, "Shadow mode on for the inactive models chosen.")

    @admin.action(description="Take out of shadow mode", permissions=["models"])
    def shadow_off(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for row in queryset:
            registry.model_version_set_shadow(model_version=row, shadow=False)
        self.message_user(request, "Shadow mode off for the models chosen.")


def _flat_metrics(metrics: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(metrics, dict):
        for key, value in metrics.items():
            out.update(_flat_metrics(value, f"{prefix}{key}."))
    elif isinstance(metrics, float):
        out[prefix.rstrip(".")] = f"{metrics:.3f}"
    elif isinstance(metrics, int | str):
        out[prefix.rstrip(".")] = str(metrics)
    return out
