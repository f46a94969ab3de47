"""The moderation API: one endpoint per action of the table, same rules as the admin."""

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from articles.models import Comment, CommentStatus
from moderation.models import AuthorStanding, Decision
from moderation.services.action_table import MODERATOR_ACTIONS
from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db


def _moderator(username: str = "mod") -> User:
    user = make_user(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def _post(user: User, comment: Comment, action: str, **data: object) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    url = reverse(f"api-moderation-{action}", args=[comment.pk])
    return client.post(url, data, format="json")


def test_every_action_of_the_table_has_an_endpoint() -> None:
    for action in MODERATOR_ACTIONS:
        url = reverse(f"api-moderation-{action.name}", args=[1])
        assert url == f"/api/v1/moderation/comments/1/{action.name}/"


def test_a_moderator_rejects_a_held_comment_with_a_reason() -> None:
    """The answer names the new status and the decision row it wrote."""
    # given a held comment and a moderator
    comment = make_comment(status=CommentStatus.HELD)
    moderator = _moderator()
    # when the moderator rejects it through the API
    response = _post(moderator, comment, "reject", reason="spam", note="ads")
    # then it is rejected, with the reason, by this moderator
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == CommentStatus.REJECTED
    assert body["decisions"][0]["rejection_reason"] == "spam"
    assert body["decisions"][0]["actor"] == str(moderator)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.REJECTED


def test_a_reader_may_not_act_and_nothing_changes() -> None:
    comment = make_comment(status=CommentStatus.HELD)
    response = _post(make_user(), comment, "approve")
    assert response.status_code == 403
    assert response.json()["error"]["code"]
    assert not Decision.objects.filter(
        comment=comment, source=Decision.Source.MODERATOR
    ).exists()


def test_a_moderator_without_the_sanction_permission_may_not_ban() -> None:
    # given staff who may decide comments but not sanction authors
    staff = make_user(username="decider", is_staff=True)
    staff.user_permissions.add(
        *Group.objects.get(name="Moderators").permissions.filter(
            codename="decide_comment"
        )
    )
    comment = make_comment(status=CommentStatus.HELD)
    # when they try to ban its author
    response = _post(staff, comment, "ban")
    # then they are refused and the author is not banned
    assert response.status_code == 403
    assert not AuthorStanding.objects.filter(user=comment.author, banned=True).exists()


def test_a_decision_made_since_the_moderator_looked_is_a_conflict() -> None:
    """The second moderator is told who decided first, in the one error shape."""
    comment = make_comment(status=CommentStatus.HELD)
    assert _post(_moderator("first"), comment, "approve").status_code == 200
    response = _post(_moderator("second"), comment, "reject", seen_decision_id=0)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_decided"
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED


def test_bad_input_is_refused_with_the_field_named() -> None:
    comment = make_comment(status=CommentStatus.HELD)
    response = _post(_moderator(), comment, "suspend", days=0)
    assert response.status_code == 400
    assert "days" in response.json()["error"]["fields"]
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD
