"""The model registry in the admin, re-scoring, and decisions as training data."""

import json
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from articles.models import CommentStatus
from moderation.models import CommentScore, ModelVersion, ModerationSettings
from moderation.services import actions
from tests.factories import make_comment, make_user


@pytest.fixture
def lead(db: None) -> User:
    """Staff with the manage_models permission."""
    user = make_user(username="lead", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="manage_models"),
        Permission.objects.get(codename="view_modelversion"),
        Permission.objects.get(codename="view_needsreviewcomment"),
    )
    return user


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_staff_activate_a_model_and_shadow_another(lead: User) -> None:
    """Activate switches the active row; shadow marks a candidate."""
    # given
    old = ModelVersion.objects.create(version="v1", path="x", is_active=True)
    new = ModelVersion.objects.create(version="v2", path="y")
    candidate = ModelVersion.objects.create(version="v3", path="z")
    url = reverse("admin:moderation_modelversion_changelist")
    client = login(lead)
    # when
    client.post(url, {"action": "activate", "_selected_action": [new.pk]})
    client.post(url, {"action": "shadow_on", "_selected_action": [candidate.pk]})
    # then
    assert list(ModelVersion.objects.filter(is_active=True)) == [new]
    old.refresh_from_db()
    assert not old.is_active
    candidate.refresh_from_db()
    assert candidate.is_shadow


@pytest.mark.django_db
def test_moderators_without_manage_models_cannot_activate() -> None:
    """Viewing the registry is not enough to change the active model."""
    # given
    staff = make_user(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_modelversion"))
    row = ModelVersion.objects.create(version="v2", path="y")
    # when
    login(staff).post(
        reverse("admin:moderation_modelversion_changelist"),
        {"action": "activate", "_selected_action": [row.pk]},
    )
    # then
    row.refresh_from_db()
    assert not row.is_active


@pytest.mark.django_db
def test_disagreements_page_lists_comments_on_opposite_sides(lead: User) -> None:
    """Only comments the shadow and active score across the hold threshold."""
    # given
    ModerationSettings.get_or_create_current()
    ModelVersion.objects.create(version="act", path="x", is_active=True)
    shadow = ModelVersion.objects.create(version="sh", path="y", is_shadow=True)
    split = make_comment(body="disputed words")
    agreed = make_comment(body="agreed words")
    for comment, active, shadowed in ((split, 0.2, 0.8), (agreed, 0.7, 0.9)):
        CommentScore.objects.create(
            comment=comment, model_version="act", text_version=1, toxicity=active
        )
        CommentScore.objects.create(
            comment=comment,
            model_version="sh",
            text_version=1,
            toxicity=shadowed,
            is_shadow=True,
        )
    # when
    response = login(lead).get(
        reverse("admin:moderation_modelversion_disagreements", args=[shadow.pk])
    )
    # then
    page = response.content.decode()
    assert "disputed words" in page
    assert "agreed words" not in page


@pytest.mark.django_db
def test_rescore_command_and_action_queue_pending_and_held(
    lead: User, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    """Pending and held comments are queued for re-scoring, others are not."""
    # given
    pending = make_comment(status=CommentStatus.PENDING)
    held = make_comment(status=CommentStatus.HELD)
    make_comment(status=CommentStatus.PUBLISHED)
    with mock.patch("moderation.tasks.comment_rescore_task.delay") as delay:
        # when
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
            call_command("rescore")
        # then
        assert sorted(c.args for c in delay.call_args_list) == [
            (pending.pk, 1),
            (held.pk, 1),
        ]
        delay.reset_mock()
        # when
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
            login(lead).post(
                reverse("admin:moderation_needsreviewcomment_changelist"),
                {"action": "rescore_comments", "_selected_action": [held.pk]},
            )
        # then
        assert [c.args for c in delay.call_args_list] == [(held.pk, 1)]


@pytest.mark.django_db
def test_export_decisions_writes_labels_for_training(tmp_path: Path) -> None:
    """Rejected as abusive → 1; approved after a hold → 0; spam is skipped."""
    # given
    moderator = make_user()
    toxic = make_comment(status=CommentStatus.HELD, body="nasty")
    fine = make_comment(status=CommentStatus.HELD, body="fine after all")
    spam = make_comment(status=CommentStatus.HELD, body="buy now")
    actions.comment_reject(comment=toxic, moderator=moderator, reason="abusive")
    actions.comment_approve(comment=fine, moderator=moderator)
    actions.comment_reject(comment=spam, moderator=moderator, reason="spam")
    out = tmp_path / "d.jsonl"
    # when
    call_command("export_decisions", "--out", str(out))
    # then
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows == [
        {"text": "nasty", "label": 1},
        {"text": "fine after all", "label": 0},
    ]
