"""The inputs of moderators' actions, defined once for the bulk bar and the review page.

Every field an action of `MODERATOR_ACTIONS` may read (its `fields`) is built here;
the bulk bar beside the action menu shows them compactly, the review page with
longer labels.
"""

from typing import Any

from django import forms
from django.contrib.admin.helpers import ActionForm

from moderation.reasons import RejectionReason
from moderation.services.action_table import DEFAULT_REJECTION_REASON, ActionInput


def _action_fields(*, compact: bool) -> dict[str, forms.Field]:
    return {
        "reason": forms.ChoiceField(
            label="Reason" if compact else "Rejection reason (shown to the author)",
            choices=RejectionReason.choices,
            initial=DEFAULT_REJECTION_REASON,
            required=not compact,
        ),
        "days": forms.ChoiceField(
            label="Suspend for",
            choices=[
                ("1", "1 day"),
                ("7", "7 days"),
                ("custom", "custom:" if compact else "Custom"),
            ],
            initial="1",
            required=not compact,
        ),
        "custom_days": forms.IntegerField(
            label="days" if compact else "Custom days",
            min_value=1,
            max_value=365,
            required=False,
        ),
        "reject_held": forms.BooleanField(
            label="also reject their held comments"
            if compact
            else "When banning, also reject their held comments",
            # Not ticked: rejecting more than the moderator looked at is a choice
            # they make, not one they must notice to avoid.
            initial=False,
            required=False,
        ),
        "note": forms.CharField(
            label="Note" if compact else "Note (for moderators)",
            required=False,
            max_length=1000,
            widget=None if compact else forms.Textarea(attrs={"rows": 2}),
        ),
    }


class DecideForm(ActionForm):
    """Extra fields beside the bulk-action menu (reason, suspension, note)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_action_fields(compact=True))


class ReviewForm(forms.Form):
    """The review page's form: one submit button per action."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_action_fields(compact=False))


def suspension_days(data: dict[str, Any]) -> int:
    if data.get("days") == "custom":
        return int(data.get("custom_days") or 0)
    return int(data.get("days") or 1)


def action_input(data: dict[str, Any], **context: Any) -> ActionInput:
    """An ActionInput from a valid form's cleaned data and the request's context."""
    return ActionInput(
        reason=data.get("reason") or DEFAULT_REJECTION_REASON,
        days=suspension_days(data),
        reject_held=bool(data.get("reject_held")),
        note=data.get("note") or "",
        **context,
    )
