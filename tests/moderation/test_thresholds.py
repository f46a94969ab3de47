"""The hold threshold in force: the moderator's value, else the active model's
operating point; what each would have held; the settings page that shows both."""

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from accounts.models import User
from articles.models import CommentStatus
from moderation.models import CommentScore, ModelVersion, ModerationSettings
from moderation.services import registry
from moderation.services.thresholds import (
    FALLBACK_HOLD_THRESHOLD,
    ThresholdSource,
    hold_threshold_in_force,
    hold_threshold_preview,
    hold_threshold_resolve,
)
from tests.factories import make_comment, make_user

from .conftest import Post


def test_moderators_value_wins_over_the_models_point() -> None:
    """A threshold set by a moderator is in force; the model's point is kept
    beside it for the admin."""
    # given
    row = ModelVersion(version="tox-new", threshold=0.131)
    # when
    hold = hold_threshold_resolve(moderator_value=0.4, model_version=row)
    # then
    assert (hold.value, hold.source) == (0.4, ThresholdSource.MODERATOR)
    assert hold.model_point == 0.131
    assert not hold.follows_model


def test_unset_threshold_follows_the_models_point() -> None:
    """With no moderator value the active model's operating point is in force."""
    hold = hold_threshold_resolve(
        moderator_value=None,
        model_version=ModelVersion(version="tox-new", threshold=0.131),
    )
    assert (hold.value, hold.source) == (0.131, ThresholdSource.MODEL)
    assert hold.follows_model


@pytest.mark.parametrize(
    "row", [None, ModelVersion(version="tox-old", threshold=None)], ids=str
)
def test_a_model_without_an_operating_point_falls_back(
    row: ModelVersion | None,
) -> None:
    """No active model, or one whose card names no point: the old default."""
    hold = hold_threshold_resolve(moderator_value=None, model_version=row)
    assert (hold.value, hold.source) == (
        FALLBACK_HOLD_THRESHOLD,
        ThresholdSource.FALLBACK,
    )


def _scores(version: str, toxicities: list[float]) -> None:
    for toxicity in toxicities:
        CommentScore.objects.create(
            comment=make_comment(),
            model_version=version,
            text_version=1,
            toxicity=toxicity,
        )


@pytest.mark.django_db
def test_preview_counts_what_each_threshold_would_have_held(
    django_assert_num_queries: Any,
) -> None:
    """Of the active model's most recent scores, the counts at or above the
    model's point and at or above the moderator's value; scores of other
    versions and older ones beyond the window do not count."""
    # given
    ModelVersion.objects.create(
        version="tox-new", path="x", threshold=0.13, is_active=True
    )
    _scores("tox-new", [0.9, 0.9])  # the oldest: outside a window of 6
    _scores("tox-old", [0.99, 0.99, 0.99])
    _scores("tox-new", [0.05, 0.12, 0.13, 0.3, 0.55, 0.8])
    settings = ModerationSettings.get_or_create_current()
    settings.hold_threshold = 0.5
    settings.save()
    hold = hold_threshold_in_force()
    # when
    with django_assert_num_queries(1):
        preview = hold_threshold_preview(threshold=hold, limit=6)
    # then
    assert preview.scored == 6
    assert preview.held_by_model_point == 4  # 0.13, 0.3, 0.55, 0.8
    assert preview.held_by_moderator_value == 2  # 0.55, 0.8
    # and over the default window of 1,000 every score of the version counts
    full = hold_threshold_preview(threshold=hold)
    assert (full.scored, full.held_by_model_point) == (8, 6)


@pytest.mark.django_db
def test_preview_without_a_moderator_value_counts_only_the_models_point() -> None:
    """Following the model, the moderator's column has no count."""
    ModelVersion.objects.create(
        version="tox-new", path="x", threshold=0.13, is_active=True
    )
    _scores("tox-new", [0.1, 0.2])
    preview = hold_threshold_preview(threshold=hold_threshold_in_force())
    assert (preview.scored, preview.held_by_model_point) == (2, 1)
    assert preview.held_by_moderator_value is None


@pytest.fixture
def rules_editor(db: None) -> User:
    """Staff who may edit moderation settings."""
    user = make_user(username="rules", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="edit_rules"))
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _settings_url() -> str:
    settings = ModerationSettings.get_or_create_current()
    return reverse("admin:moderation_moderationsettings_change", args=[settings.pk])


@pytest.mark.django_db
def test_settings_page_shows_both_thresholds_and_what_each_would_hold(
    rules_editor: User,
) -> None:
    """The page names the model's point and the moderator's value, which one
    is in force, and how many of the recent comments each would have held."""
    # given
    ModelVersion.objects.create(
        version="tox-new", path="x", threshold=0.131, is_active=True
    )
    _scores("tox-new", [0.05, 0.2, 0.6, 0.9])
    settings = ModerationSettings.get_or_create_current()
    settings.hold_threshold = 0.5
    settings.save()
    # when
    page = _client(rules_editor).get(_settings_url()).content.decode()
    # then
    assert "Model&#x27;s operating point (tox-new)" in page
    assert "3 of 4 (75.0 %)" in page  # at 0.131
    assert "2 of 4 (50.0 %)" in page  # at 0.5
    assert "In force: <strong>0.5</strong> (set by a moderator)" in page


@pytest.mark.django_db
def test_settings_page_following_the_model(rules_editor: User) -> None:
    """With the field empty the page says the model's point is in force."""
    ModelVersion.objects.create(
        version="tox-new", path="x", threshold=0.131, is_active=True
    )
    page = _client(rules_editor).get(_settings_url()).content.decode()
    assert "not set (following the model)" in page
    assert "In force: <strong>0.131</strong> (the operating point of tox-new)" in page
    assert "no comments scored yet" in page


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "hold_threshold": "",
        "reject_threshold": "0.97",
        "new_commenter_count": "1",
        "recent_rejections_count": "2",
        "recent_rejections_days": "7",
        "repeat_window_minutes": "10",
        "burst_window_minutes": "5",
        "burst_accounts": "3",
        "max_links": "3",
        "report_hold_weight": "3.0",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_emptying_the_field_makes_the_site_follow_the_model(
    rules_editor: User,
) -> None:
    """Saving with no hold threshold stores none: the model's point applies."""
    # given
    ModelVersion.objects.create(
        version="tox-new", path="x", threshold=0.131, is_active=True
    )
    url = _settings_url()
    # when
    response = _client(rules_editor).post(url, _form())
    # then
    assert response.status_code == 302
    assert ModerationSettings.get_or_create_current().hold_threshold is None
    assert hold_threshold_in_force().value == 0.131


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hold", "reject", "message"),
    [
        ("0.9", "0.8", "below the hold threshold in force (0.9, set by a moderator)"),
        ("", "0.1", "below the hold threshold in force (0.131, the operating point"),
        ("1.5", "0.97", "less than or equal to 1.0"),
    ],
)
def test_a_reject_threshold_below_the_hold_threshold_is_refused(
    rules_editor: User, hold: str, reject: str, message: str
) -> None:
    """The form refuses a reject threshold under the threshold in force (and
    thresholds outside 0-1), saying why; nothing is saved."""
    # given
    ModelVersion.objects.create(
        version="tox-new", path="x", threshold=0.131, is_active=True
    )
    url = _settings_url()
    # when
    response = _client(rules_editor).post(
        url, _form(hold_threshold=hold, reject_threshold=reject)
    )
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    saved = ModerationSettings.get_or_create_current()
    assert (saved.hold_threshold, saved.reject_threshold) == (None, 0.97)


@pytest.mark.django_db
def test_a_site_following_the_model_holds_at_its_point(
    tiny_model: object, post: Post, regular: User
) -> None:
    """The pipeline holds at the active model's point when no moderator set a
    threshold, and at the moderator's value when one did."""
    # given: the active model names a point that holds every score
    row = registry.active_model_version_get_or_register()
    assert row is not None
    ModelVersion.objects.filter(pk=row.pk).update(threshold=0.0)
    # when
    followed = post(author=regular, body="Thanks for the clear reporting.")
    settings = ModerationSettings.get_or_create_current()
    settings.hold_threshold = 0.99
    settings.save()
    overridden = post(author=regular, body="Thanks again for the reporting.")
    # then
    assert followed.status == CommentStatus.HELD
    assert overridden.status == CommentStatus.PUBLISHED


def _migration() -> Any:
    return importlib.import_module(
        "moderation.migrations.0007_hold_threshold_follows_model"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "logged_change", "after"),
    [
        (0.5, None, None),  # the untouched default: follow the model
        (0.5, '[{"changed": {"fields": ["Max links"]}}]', None),
        (0.5, '[{"changed": {"fields": ["Hold threshold"]}}]', 0.5),
        (0.4, None, 0.4),  # a moderator's value is kept
    ],
)
def test_migration_keeps_only_values_a_moderator_set(
    value: float, logged_change: str | None, after: float | None
) -> None:
    """The old default 0.5 becomes "follow the model" unless the admin's history
    shows a moderator changed the hold threshold; other values stay."""
    # given
    settings = ModerationSettings.get_or_create_current()
    ModerationSettings.objects.filter(pk=settings.pk).update(hold_threshold=value)
    if logged_change is not None:
        LogEntry.objects.create(
            user=make_user(username="editor", is_staff=True),
            content_type=ContentType.objects.get_for_model(ModerationSettings),
            object_id=str(settings.pk),
            object_repr="Moderation settings",
            action_flag=CHANGE,
            change_message=logged_change,
        )
    # when
    _migration().follow_the_model_unless_set(apps, None)
    # then
    settings.refresh_from_db()
    assert settings.hold_threshold == after


@pytest.mark.django_db
def test_migration_back_restores_the_old_default() -> None:
    """Reversing the migration gives a site that followed the model 0.5 again."""
    settings = ModerationSettings.get_or_create_current()
    _migration().back_to_the_old_default(apps, None)
    settings.refresh_from_db()
    assert settings.hold_threshold == 0.5
