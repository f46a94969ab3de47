"""The moderation API: one endpoint per entry of the moderators' action table.

`POST /api/v1/moderation/comments/<id>/<action>/` runs the same service call as
the admin's bulk action and review button of that name, with the same permission
(staff with moderation.decide_comment, and moderation.sanction_author for
sanctions) and the same refusals, in the API's one error shape.
"""

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import User
from articles.models import Comment
from moderation.models import Decision
from moderation.reasons import RejectionReason
from moderation.services.action_table import (
    DEFAULT_REJECTION_REASON,
    MODERATOR_ACTIONS,
    ActionInput,
    ModeratorAction,
    may_perform,
    moderator_action,
)


class ActionInputSerializer(serializers.Serializer[Any]):
    """Every input an action may read; each action reads only its own `fields`."""

    reason = serializers.ChoiceField(
        choices=RejectionReason.choices, default=DEFAULT_REJECTION_REASON
    )
    days = serializers.IntegerField(min_value=1, max_value=365, default=1)
    # Off unless asked, as in the admin: rejecting more than the moderator looked at
    # is a choice they make.
    reject_held = serializers.BooleanField(default=False)
    note = serializers.CharField(
        max_length=1000, allow_blank=True, required=False, default=""
    )
    seen_decision_id = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="The newest decision you saw (0 for none): the action is "
        "refused with 409 if someone decided the comment since.",
    )


class DecisionOutputSerializer(serializers.ModelSerializer[Decision]):
    actor: "serializers.StringRelatedField[Any]" = serializers.StringRelatedField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "comment_id",
            "from_status",
            "to_status",
            "source",
            "actor",
            "rejection_reason",
            "note",
            "created_at",
        ]


class ActionOutputSerializer(serializers.Serializer[Any]):
    action = serializers.CharField()
    comment_id = serializers.IntegerField()
    status = serializers.CharField()
    decisions = DecisionOutputSerializer(many=True)


class IsModerator(permissions.BasePermission):
    message = "Only moderators with this permission may do that."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        action = moderator_action(view.action_name)
        return (
            isinstance(user, User)
            and user.is_staff
            and action is not None
            and may_perform(user, action)
        )


class ModeratorActionApi(APIView):
    """Run one moderator action on one comment."""

    permission_classes = [permissions.IsAuthenticated, IsModerator]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "moderator_action"
    action_name = ""

    @extend_schema(
        request=ActionInputSerializer, responses={200: ActionOutputSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        action = moderator_action(self.action_name)
        assert action is not None  # noqa: S101  (the URL comes from the table)
        comment = get_object_or_404(Comment, pk=pk)
        serializer = ActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moderator = request.user
        assert isinstance(moderator, User)  # noqa: S101  (IsModerator checked it)
        result = action.call(
            ActionInput(
                comment=comment,
                moderator=moderator,
                seen_decision_id=data["seen_decision_id"],
                reason=data["reason"],
                days=data["days"],
                reject_held=data["reject_held"],
                note=data["note"],
            )
        )
        decisions = result if isinstance(result, list) else [result]
        comment.refresh_from_db()
        out = ActionOutputSerializer(
            {
                "action": action.name,
                "comment_id": comment.pk,
                "status": comment.status,
                "decisions": decisions,
            }
        )
        return Response(out.data, status=status.HTTP_200_OK)


def _view(action: ModeratorAction) -> Any:
    return ModeratorActionApi.as_view(action_name=action.name)


urlpatterns: list[URLPattern] = [
    path(
        f"moderation/comments/<int:pk>/{action.name}/",
        _view(action),
        name=f"api-moderation-{action.name}",
    )
    for action in MODERATOR_ACTIONS
]
