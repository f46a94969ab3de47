"""The moderators' actions as one declarative table.

The admin's bulk actions, the review page's buttons and the moderation API are all
built from `MODERATOR_ACTIONS`, so a new action is one entry here (plus its service
function in `moderation.services.actions`). Each entry says:

- `name`: the review page's button value and the API's URL segment;
- `label`: the bulk-action menu text; `button`: the review page's button text;
- `permission`: "decide" (moderation.decide_comment) or "sanction" (decide_comment
  and moderation.sanction_author);
- `fields`: which inputs the action reads (see `ActionInput`), so forms and the
  API show and validate only those;
- `call`: the service call; `done`: the outcome in words, for the message after
  it ("Comment #32 approved.", "3 comments rejected: #4, #5, #9.");
- `confirm`: the question to ask before a destructive action ("" for none);
- `bulk_name`: the admin action name, or None if the action is not offered in
  bulk; `shown`: when the review page offers it (e.g. Unfeature only when featured).
"""

from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import User
from articles.models import Comment
from moderation.reasons import RejectionReason

from . import actions

DEFAULT_REJECTION_REASON = RejectionReason.ABUSIVE


@dataclass(frozen=True)
class ActionInput:
    """One action on one comment, as a moderator asked for it."""

    comment: Comment
    moderator: User
    seen_decision_id: int | None = None
    reason: str = DEFAULT_REJECTION_REASON
    days: int = 1
    reject_held: bool = False
    note: str = ""


@dataclass(frozen=True)
class ReviewState:
    """What the review page knows when it chooses which buttons to show."""

    is_featured: bool
    author_premoderated: bool


@dataclass(frozen=True)
class ModeratorAction:
    name: str
    label: str
    button: str
    permission: str
    fields: tuple[str, ...]
    call: Callable[[ActionInput], object]
    done: str
    confirm: str = ""
    bulk_name: str | None = None
    shown: Callable[[ReviewState], bool] = lambda state: True
    # The whole selection in one transaction, when the action has a bulk service;
    # returns (ids of the comments done, refusals). Without one, `call` runs per
    # comment.
    bulk_call: Callable[[list[ActionInput]], tuple[list[int], list[str]]] | None = None


MODERATOR_ACTIONS: tuple[ModeratorAction, ...] = (
    ModeratorAction(
        name="approve",
        label="Approve (publish)",
        button="Approve",
        permission="decide",
        fields=("note",),
        call=lambda a: actions.comment_approve(
            comment=a.comment,
            moderator=a.moderator,
            note=a.note,
            seen_decision_id=a.seen_decision_id,
        ),
        done="approved",
        bulk_name="approve_comments",
        bulk_call=lambda inputs: _approve_all(inputs),
    ),
    ModeratorAction(
        name="reject",
        label="Reject with the reason chosen",
        button="Reject with reason",
        permission="decide",
        fields=("reason", "note"),
        call=lambda a: actions.comment_reject(
            comment=a.comment,
            moderator=a.moderator,
            reason=a.reason,
            note=a.note,
            seen_decision_id=a.seen_decision_id,
        ),
        done="rejected",
        bulk_name="reject_comments",
        bulk_call=lambda inputs: _reject_all(inputs),
    ),
    ModeratorAction(
        name="suspend",
        label="Reject and suspend the author",
        button="Reject and suspend author",
        permission="sanction",
        fields=("reason", "days", "note"),
        call=lambda a: actions.author_suspend(
            comment=a.comment,
            moderator=a.moderator,
            days=a.days,
            reason=a.reason,
            note=a.note,
            seen_decision_id=a.seen_decision_id,
        ),
        done="rejected; author suspended",
        confirm="Reject this comment and suspend its author?",
        bulk_name="reject_and_suspend",
    ),
    ModeratorAction(
        name="ban",
        label="Reject and ban the author",
        button="Reject and ban author",
        permission="sanction",
        fields=("reason", "reject_held", "note"),
        call=lambda a: actions.author_ban(
            comment=a.comment,
            moderator=a.moderator,
            reason=a.reason,
            note=a.note,
            reject_held=a.reject_held,
            seen_decision_id=a.seen_decision_id,
        ),
        done="rejected; author banned",
        confirm="Reject this comment and ban its author for good?",
        bulk_name="ban_authors",
    ),
    ModeratorAction(
        name="premoderate",
        label="Always pre-moderate the author",
        button="Always pre-moderate author",
        permission="sanction",
        fields=("note",),
        call=lambda a: actions.author_premoderate(
            comment=a.comment,
            moderator=a.moderator,
            note=a.note,
            seen_decision_id=a.seen_decision_id,
        ),
        done="kept; author now pre-moderated",
        bulk_name="premoderate_authors",
        shown=lambda state: not state.author_premoderated,
    ),
    ModeratorAction(
        name="unpremoderate",
        label="Stop pre-moderating the author",
        button="Stop pre-moderating author",
        permission="sanction",
        fields=("note",),
        call=lambda a: actions.author_premoderate(
            comment=a.comment,
            moderator=a.moderator,
            premoderated=False,
            note=a.note,
            seen_decision_id=a.seen_decision_id,
        ),
        done="kept; author no longer pre-moderated",
        shown=lambda state: state.author_premoderated,
    ),
    ModeratorAction(
        name="lift",
        label="Lift the author's sanctions",
        button="Lift author's sanctions",
        permission="sanction",
        fields=("note",),
        call=lambda a: actions.author_sanctions_lift(
            comment=a.comment, moderator=a.moderator, note=a.note
        ),
        done="kept; author's sanctions lifted",
    ),
    ModeratorAction(
        name="feature",
        label="Feature",
        button="Feature",
        permission="decide",
        fields=("note",),
        call=lambda a: actions.comment_feature(
            comment=a.comment,
            moderator=a.moderator,
            note=a.note,
            seen_decision_id=a.seen_decision_id,
        ),
        done="featured",
        bulk_name="feature_comments",
        shown=lambda state: not state.is_featured,
    ),
    ModeratorAction(
        name="unfeature",
        label="Unfeature",
        button="Unfeature",
        permission="decide",
        fields=("note",),
        call=lambda a: actions.comment_feature(
            comment=a.comment,
            moderator=a.moderator,
            featured=False,
            note=a.note,
            seen_decision_id=a.seen_decision_id,
        ),
        done="no longer featured",
        shown=lambda state: state.is_featured,
    ),
)

ACTIONS_BY_NAME = {a.name: a for a in MODERATOR_ACTIONS}
PERMISSIONS = {
    "decide": ("moderation.decide_comment",),
    "sanction": ("moderation.decide_comment", "moderation.sanction_author"),
}


def moderator_action(name: str) -> ModeratorAction | None:
    return ACTIONS_BY_NAME.get(name)


def outcome_message(outcome: str, ids: list[int]) -> str:
    """ "Comment #32 approved." / "3 comments approved: #32, #33, #35." """
    if len(ids) == 1:
        return f"Comment #{ids[0]} {outcome}."
    listed = ", ".join(f"#{pk}" for pk in ids[:20])
    more = f" and {len(ids) - 20} more" if len(ids) > 20 else ""
    return f"{len(ids)} comments {outcome}: {listed}{more}."


def may_perform(user: User, action: ModeratorAction) -> bool:
    """Whether this user holds the permissions the action needs."""
    return user.is_active and all(
        user.has_perm(perm) for perm in PERMISSIONS[action.permission]
    )


def _approve_all(inputs: list[ActionInput]) -> tuple[list[int], list[str]]:
    outcome = actions.comments_approve(
        seen={a.comment.pk: a.seen_decision_id for a in inputs},
        moderator=inputs[0].moderator,
        note=inputs[0].note,
    )
    return sorted(d.comment_id for d in outcome.decisions), outcome.refused


def _reject_all(inputs: list[ActionInput]) -> tuple[list[int], list[str]]:
    outcome = actions.comments_reject(
        seen={a.comment.pk: a.seen_decision_id for a in inputs},
        moderator=inputs[0].moderator,
        reason=inputs[0].reason,
        note=inputs[0].note,
    )
    return sorted(d.comment_id for d in outcome.decisions), outcome.refused
