"""The review page: one comment with its context, and a button per table action."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from articles.models import Comment
from core.errors import ServiceError
from moderation import selectors
from moderation.highlight import highlight
from moderation.services.action_table import (
    MODERATOR_ACTIONS,
    ModeratorAction,
    ReviewState,
    moderator_action,
    outcome_message,
)

from .common import request_user, seen_decision
from .forms import ReviewForm, action_input


class ReviewPage(admin.ModelAdmin):
    """Replaces a queue's change form with the review page."""

    queue_name: str

    def has_decide_permission(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    def has_sanction_permission(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    def _may(self, request: HttpRequest, action: ModeratorAction) -> bool:
        if action.permission == "sanction":
            return self.has_sanction_permission(request)
        return self.has_decide_permission(request)

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
        context = selectors.comment_review_context(comment)
        spans = context.score.explanation if context.score else []
        is_featured = hasattr(comment, "featured")
        standing = context.record.standing
        state = ReviewState(
            is_featured=is_featured,
            author_premoderated=bool(standing and standing.premoderated),
        )
        # Deciding buttons first, then sanctions, each in the table's order.
        buttons = [
            a
            for group in ("decide", "sanction")
            for a in MODERATOR_ACTIONS
            if a.permission == group and a.shown(state) and self._may(request, a)
        ]
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
                "buttons": buttons,
                "can_decide": self.has_decide_permission(request),
                "can_sanction": self.has_sanction_permission(request),
                "all_by_author": reverse("admin:moderation_allcomment_changelist")
                + f"?author={comment.author_id}",
                "is_featured": is_featured,
            },
            status=status,
        )

    def _decide(self, request: HttpRequest, comment: Comment) -> HttpResponse:
        do = request.POST.get("do", "")
        action = moderator_action(do)
        if action is not None and not self._may(request, action):
            raise PermissionDenied
        if action is None and not self.has_decide_permission(request):
            raise PermissionDenied
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return self._review(request, comment, form, status=400)
        if action is None:
            messages.error(request, "Choose an action.")
            return self._review(request, comment, form, status=400)
        try:
            action.call(
                action_input(
                    form.cleaned_data,
                    comment=comment,
                    moderator=request_user(request),
                    seen_decision_id=seen_decision(request, comment.pk),
                )
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return self._review(request, comment, form, status=exc.status)
        messages.success(request, outcome_message(action.done, [comment.pk]))
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
