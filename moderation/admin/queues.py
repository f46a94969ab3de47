"""The comment queues: columns, filters and the bulk actions of the action table."""

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, ORDER_VAR, PAGE_VAR
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import pluralize
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from articles.models import Comment
from core.errors import ServiceError
from core.html import html_format
from core.names import counted_noun, unnumbered
from core.urls import route_url
from moderation import selectors
from moderation.highlight import highlight
from moderation.models import (
    AllComment,
    ApprovedComment,
    NeedsReviewComment,
    PendingComment,
    RejectedComment,
    ReportedComment,
)
from moderation.reasons import ReportReason
from moderation.services import actions, rescoring
from moderation.services.action_table import (
    MODERATOR_ACTIONS,
    ModeratorAction,
    outcome_message,
)

from .common import age, can, request_user, seen_decision, site_scope
from .filters import (
    AuthorFilter,
    ReasonFilter,
    ScoreBandFilter,
    SectionFilter,
    SiteFilter,
    StoryFilter,
    stored_narrowing,
)
from .forms import DecideForm, action_input
from .review import ReviewPage

EXCERPT_CHARS = 400
# The changelist's own parameters, which neither filter nor search.
_PAGE_PARAMS = {ORDER_VAR, PAGE_VAR, ALL_VAR, IS_POPUP_VAR, TO_FIELD_VAR, ERROR_FLAG}


def _stored_only(request: HttpRequest) -> bool:
    """Whether every filter of the changelist reads a ranked queue's stored rows
    (no search, no date or author filter)."""
    stored = {f.parameter_name for f in STORED_FILTERS}
    return all(k in _PAGE_PARAMS | stored for k, v in request.GET.items() if v)


def _url(name: str, arg: int | str | None = None) -> str:
    """reverse(), once per route and URL prefix rather than once per row."""
    return route_url(name, arg)


def _report_label(reason: str) -> str:
    """A report reason's label: `get_reason_display` rebuilds the choices' dict on
    every call."""
    return str(_REPORT_LABELS.get(reason, reason))


_REPORT_LABELS = dict(ReportReason.choices)


@lru_cache(maxsize=16)
def _checkbox_label(language: str | None) -> str:
    """The admin's own label for a row's checkbox, translated once per language."""
    return _("Select this object for an action - {}")


class StoredCountPaginator(Paginator):
    """A paginator given its count instead of counting its query."""

    def __init__(
        self, object_list: Any, per_page: int, *, count: int, **kwargs: Any
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


def _bulk_action(action: ModeratorAction) -> Callable[..., None]:
    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        modeladmin.run_bulk_action(request, queryset, action)

    assert action.bulk_name is not None  # noqa: S101  (only bulk entries get here)
    run.__name__ = action.bulk_name
    return admin.action(description=action.label, permissions=[action.permission])(run)


# The filters a ranked queue answers from its stored rows.
STORED_FILTERS = (SiteFilter, StoryFilter, SectionFilter, ReasonFilter, ScoreBandFilter)
BULK_ACTIONS = tuple(_bulk_action(a) for a in MODERATOR_ACTIONS if a.bulk_name)
# The inputs each bulk action reads, so the bar beside the menu shows only those
# (moderation/static/moderation/queue.js); "custom days" goes with "days".
BULK_FIELDS = {
    a.bulk_name: [*a.fields, *(["custom_days"] if "days" in a.fields else [])]
    for a in MODERATOR_ACTIONS
    if a.bulk_name
}


class QueueAdmin(ReviewPage, admin.ModelAdmin):
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
    list_filter = (*STORED_FILTERS, "created_at", AuthorFilter)
    search_fields = ("body", "author__username", "author__display_name")
    show_full_result_count = False
    # One bulk action per entry of the table that offers it in bulk.
    actions: tuple[Any, ...] = BULK_ACTIONS

    # Permissions: moderators read and decide; nobody edits text or adds rows.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or can(
            request, "decide_comment"
        )

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return can(request, "decide_comment")

    def has_sanction_permission(self, request: HttpRequest) -> bool:
        return can(request, "decide_comment") and can(request, "sanction_author")

    def has_models_permission(self, request: HttpRequest) -> bool:
        return can(request, "manage_models")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        if not request.user.is_superuser:
            found.pop("delete_selected", None)
        return found

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # A moderator limited to some sites never sees the others' comments.
        return selectors.queue(self.queue_name, site_ids=site_scope(request))

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        return selectors.queue_ordering(self.queue_name)

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> Paginator:
        # A ranked queue filtered only by filters that read its stored rows is
        # counted from those rows: the changelist's own count would join every
        # matching comment's row.
        if self.queue_name in selectors.RANKED and _stored_only(request):
            return StoredCountPaginator(
                queryset,
                per_page,
                count=selectors.queue_size(
                    self.queue_name,
                    site_ids=site_scope(request),
                    narrowing=stored_narrowing(request),
                ),
                orphans=orphans,
                allow_empty_first_page=allow_empty_first_page,
            )
        return super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        title = unnumbered(self.model._meta.verbose_name_plural)
        return super().changelist_view(
            request,
            {
                "title": title,
                "action_fields_json": json.dumps(BULK_FIELDS),
                # "Select all 2 comments needing review", not "… 2 1. Needs review".
                "module_name": counted_noun(self.model._meta),
                **(extra_context or {}),
            },
        )

    # -- columns --

    def action_checkbox(self, obj: Any) -> SafeString:
        # The same input as ModelAdmin's, without rendering a form widget's
        # template for each of a page's 100 rows.
        return html_format(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            html_format(_checkbox_label(translation.get_language()), str(obj)),
        )

    @admin.display(description="Priority", ordering="priority")
    def priority_column(self, obj: Comment) -> SafeString:
        o: Any = obj
        return html_format(
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
        spans = getattr(obj, "score_spans", None) or []
        url = _url(f"admin:moderation_{self.model._meta.model_name}_change", obj.pk)
        return html_format(
            '<div class="comment-text">{}</div><a class="review-link" href="{}">'
            "Review #{}</a>{}",
            highlight(obj.body, spans, limit=EXCERPT_CHARS),
            url,
            obj.pk,
            html_format(" · reply to #{}", obj.parent_id) if obj.parent_id else "",
        )

    @admin.display(description="Story", ordering="article__title")
    def story_column(self, obj: Comment) -> SafeString:
        # The story filter lists only the busiest stories: each row leads to its.
        return html_format(
            '<a href="?{}={}" title="This story\'s comments in the queue">{}</a>'
            "<br><small>{}</small>",
            StoryFilter.parameter_name,
            obj.article_id,
            obj.article.title,
            obj.article.section,
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
        return html_format(
            '<a href="{}?author={}">{}</a><br><small>{} rejected{}</small>',
            _url("admin:moderation_allcomment_changelist"),
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
        # Each reason with the comma after it is one unit that never breaks: a
        # narrow column wraps between reasons, never before a comma.
        last = len(codes) - 1
        return SafeString(
            " ".join(
                html_format(
                    '<span class="reason"><span class="reason-code">{}</span>{}</span>',
                    c,
                    "" if i == last else ",",
                )
                for i, c in enumerate(codes)
            )
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
        return html_format(
            "{} (weight {})<br><small>{}</small>",
            len(reports),
            f"{o.report_weight:.2f}",
            ", ".join(sorted({_report_label(r.reason) for r in reports})),
        )

    @admin.display(description="Waiting", ordering="waiting_since")
    def waiting_column(self, obj: Comment) -> str:
        return age(getattr(obj, "waiting_since", None) or obj.status_changed_at)

    # -- bulk actions --

    def run_bulk_action(
        self, request: HttpRequest, queryset: QuerySet[Any], action: ModeratorAction
    ) -> None:
        """Run a table action on each selected comment; report what was refused."""
        form = DecideForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        moderator = request_user(request)
        refused: list[str] = []
        done: list[int] = []
        handled: set[int] = set()
        selection = list(
            queryset.select_related(None).prefetch_related(None).defer(None)
        )
        if action.bulk_call is not None and selection:
            # One transaction for the whole selection (e.g. approving 1,000).
            handled = {c.pk for c in selection}
            try:
                done, refused = action.bulk_call(
                    [
                        action_input(
                            data,
                            comment=c,
                            moderator=moderator,
                            seen_decision_id=seen_decision(request, c.pk),
                        )
                        for c in selection
                    ]
                )
            except ServiceError as exc:
                refused.append(exc.message)
            selection = []
        for comment in selection:
            handled.add(comment.pk)
            try:
                action.call(
                    action_input(
                        data,
                        comment=comment,
                        moderator=moderator,
                        seen_decision_id=seen_decision(request, comment.pk),
                    )
                )
            except ServiceError as exc:
                refused.append(exc.message)
            else:
                done.append(comment.pk)
        # Selected on the page but no longer in this queue: decided meanwhile.
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        for pk in sorted({int(s) for s in selected if s.isdigit()} - handled):
            latest = actions.latest_decision(pk)
            if latest is not None and latest.pk != seen_decision(request, pk):
                refused.append(actions.already_decided(latest))
        if done:
            self.message_user(request, outcome_message(action.done, done))
        for message in refused:
            self.message_user(request, message, level=messages.ERROR)

    @admin.action(description="Re-score with the active model", permissions=["models"])
    def rescore_comments(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        ids = (
            queryset.select_related(None)
            .prefetch_related(None)
            .values_list("pk", flat=True)
        )
        queued = rescoring.comments_rescore_schedule(comment_ids=ids)
        self.message_user(
            request, f"Queued {queued} comment{pluralize(queued)} for re-scoring."
        )


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
