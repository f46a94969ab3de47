"""The dashboard on the admin index, as an inclusion tag."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from moderation import selectors
from moderation.services.stats import stats_latest

register = template.Library()

QUEUE_PAGES = (
    (selectors.Queue.NEEDS_REVIEW, "Needs review", "needsreviewcomment"),
    (selectors.Queue.REPORTED, "Reported", "reportedcomment"),
    (selectors.Queue.PENDING, "Pending (not yet scored)", "pendingcomment"),
    (selectors.Queue.APPROVED, "Approved", "approvedcomment"),
    (selectors.Queue.REJECTED, "Rejected", "rejectedcomment"),
    (selectors.Queue.ALL, "All", "allcomment"),
)


@register.inclusion_tag("admin/moderation/_dashboard.html", takes_context=True)
def moderation_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    if not request.user.has_perm("moderation.view_needsreviewcomment") and not (
        request.user.has_perm("moderation.decide_comment")
    ):
        return {"show": False}
    board = stats_latest().dashboard
    oldest = {
        selectors.Queue.NEEDS_REVIEW: board.oldest[selectors.Queue.NEEDS_REVIEW],
        selectors.Queue.PENDING: board.oldest[selectors.Queue.PENDING],
        selectors.Queue.REPORTED: board.oldest_reported,
    }
    queues = [
        {
            "label": label,
            "count": board.counts[key],
            "oldest": oldest.get(key),
            "url": reverse(f"admin:moderation_{model}_changelist"),
        }
        for key, label, model in QUEUE_PAGES
    ]
    if board.appeals is not None:
        queues.append(
            {
                "label": "Appeals",
                "count": board.appeals,
                "oldest": None,
                "url": reverse("admin:readers_appeal_changelist") + "?status=pending",
            }
        )
    decisions = reverse("admin:moderation_decision_changelist")
    every = reverse("admin:moderation_allcomment_changelist")
    return {
        "show": True,
        "board": board,
        "queues": queues,
        # Every figure links to the rows it counts.
        "links": {
            "decisions_today": f"{decisions}?source=moderator&created_at__gte="
            f"{timezone.localdate().isoformat()}",
            "decisions_by": f"{decisions}?source=moderator&q=",
            "human_decisions": f"{decisions}?source=moderator",
            "reported": reverse("admin:moderation_reportedcomment_changelist"),
            "bursts": f"{every}?reason=BURST",
            "reason": f"{every}?reason=",
        },
    }
