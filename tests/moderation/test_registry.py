"""Which model scores: the shipped default across upgrades, and replaced files."""

import shutil
from pathlib import Path

import pytest

from moderation.classifier import DEFAULT_MODEL_PATH, ToxicityModel, load_model
from moderation.classifier.card import card_path_for
from moderation.models import ModelVersion, ModerationSettings
from moderation.services import registry, thresholds


@pytest.mark.django_db
def test_upgrade_that_ships_a_new_model_activates_it_and_keeps_the_old_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An active row for the shipped file whose card now names another version
    (Parley was upgraded) gives way to a row for the new version."""
    # given
    monkeypatch.setattr(registry, "_loaded", {})
    old = ModelVersion.objects.create(
        version="tox-00000000", path=registry._shipped_path(), is_active=True
    )
    shipped = load_model(DEFAULT_MODEL_PATH).version
    # when
    row = registry.active_model_version_get_or_register()
    # then
    assert row is not None
    assert row.version == shipped
    assert row.is_active
    old.refresh_from_db()
    assert not old.is_active
    assert registry.active_model()[1] is not None


@pytest.mark.django_db
def test_the_first_worker_registers_and_loads_the_shipped_model_in_one_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no model registered yet (a new site's first worker), the shipped
    model is registered, activated and ready to score after reading its file
    once: the model built to register it is the one kept."""
    # given no model version, and every model file read counted
    monkeypatch.setattr(registry, "_loaded", {})
    real_load_model = registry.classifier.load_model
    reads: list[Path] = []

    def counted(path: Path) -> ToxicityModel:
        reads.append(path)
        return real_load_model(path)

    monkeypatch.setattr(registry.classifier, "load_model", counted)
    assert not ModelVersion.objects.exists()
    # when
    row, model = registry.active_model()
    # then
    assert row is not None
    assert row.is_active
    assert model is not None
    assert model.version == row.version
    assert reads == [DEFAULT_MODEL_PATH]
    assert registry.model_state().version == row.version
    assert registry.active_model()[1] is model
    assert len(reads) == 1


@pytest.mark.django_db
def test_a_replaced_model_file_is_not_scored_under_the_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A registered path whose file now holds another model is refused, with
    a message that says what happened, instead of mislabelling scores."""
    # given
    monkeypatch.setattr(registry, "_loaded", {})
    path = tmp_path / "custom.skops"
    shutil.copy(DEFAULT_MODEL_PATH, path)
    shutil.copy(card_path_for(DEFAULT_MODEL_PATH), card_path_for(path))
    row = ModelVersion.objects.create(
        version="tox-deadbeef", path=str(path), is_active=True
    )
    # when
    model = registry.load(row)
    state = registry.model_state()
    # then
    assert model is None
    assert state.error is not None
    assert "now holds model" in state.error
    assert "tox-deadbeef" in state.error


@pytest.mark.django_db
def test_sites_on_tox_6a4ac5ce_move_to_the_attribute_model_and_keep_old_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A site whose active model is the previous shipped version, tox-6a4ac5ce,
    scores with the new shipped model after the upgrade; the new row carries
    the new model's operating point, and scores recorded under the old
    version stay with the old version."""
    # given
    from moderation.models import CommentScore
    from tests.factories import make_comment

    monkeypatch.setattr(registry, "_loaded", {})
    old = ModelVersion.objects.create(
        version="tox-6a4ac5ce",
        path=registry._shipped_path(),
        threshold=0.291,
        is_active=True,
    )
    comment = make_comment()
    CommentScore.objects.create(
        comment=comment, model_version=old.version, text_version=1, toxicity=0.4
    )
    # when
    row = registry.active_model_version_get_or_register()
    # then
    shipped = load_model(DEFAULT_MODEL_PATH)
    assert row is not None
    assert row.version == shipped.version != "tox-6a4ac5ce"
    assert row.threshold == pytest.approx(shipped.threshold)
    assert "TOXICITY" in shipped.attribute_names
    assert len(shipped.attribute_names) == 6
    old.refresh_from_db()
    assert not old.is_active
    assert CommentScore.objects.get(comment=comment).model_version == "tox-6a4ac5ce"
    model = registry.active_model()[1]
    assert model is not None
    assert model.version == shipped.version


@pytest.mark.django_db
@pytest.mark.parametrize("moderator_value", [None, 0.4])
def test_after_an_upgrade_the_threshold_in_force_follows_the_new_model(
    monkeypatch: pytest.MonkeyPatch, moderator_value: float | None
) -> None:
    """A site following the model holds at the new model's operating point
    once the upgrade activates it; a moderator's own value stays in force."""
    # given: a site on tox-6a4ac5ce (its row's point 0.291)
    monkeypatch.setattr(registry, "_loaded", {})
    ModelVersion.objects.create(
        version="tox-6a4ac5ce",
        path=registry._shipped_path(),
        threshold=0.291,
        is_active=True,
    )
    settings = ModerationSettings.get_or_create_current()
    settings.hold_threshold = moderator_value
    settings.save()
    assert thresholds.hold_threshold_in_force().value == (moderator_value or 0.291)
    # when
    registry.active_model_version_get_or_register()
    # then
    hold = thresholds.hold_threshold_in_force()
    point = load_model(DEFAULT_MODEL_PATH).thresholds["news"]
    assert hold.model_point == pytest.approx(point)
    assert hold.model_version == load_model(DEFAULT_MODEL_PATH).version
    if moderator_value is None:
        assert hold.value == pytest.approx(point)
        assert hold.source == thresholds.ThresholdSource.MODEL
    else:
        assert hold.value == moderator_value
        assert hold.source == thresholds.ThresholdSource.MODERATOR


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("version", "point"),
    [
        # the six-attribute model whose templated identity AUC fell to 0.9714
        ("tox-9c05f70e", 0.1312),
        # the identity-fixed model the word-vector model replaced (issue 15)
        ("tox-e62b871e", 0.1341),
        # the word-vector model the network stacker replaced (issue 15)
        ("tox-76508b8e", 0.1315),
        # the network stacker without the threat sentences (issue 15, round 12)
        ("tox-3c44694b", 0.1301),
    ],
)
def test_sites_on_an_earlier_attribute_model_move_to_the_shipped_one(
    monkeypatch: pytest.MonkeyPatch, version: str, point: float
) -> None:
    """A site whose active model is an earlier six-attribute model scores with
    the new shipped model after the upgrade; the new row carries the new
    operating point, a site following the model holds at it, and scores
    recorded under the earlier version stay with it."""
    # given
    from moderation.models import CommentScore
    from tests.factories import make_comment

    monkeypatch.setattr(registry, "_loaded", {})
    old = ModelVersion.objects.create(
        version=version,
        path=registry._shipped_path(),
        threshold=point,
        is_active=True,
    )
    settings = ModerationSettings.get_or_create_current()
    settings.hold_threshold = None
    settings.save()
    comment = make_comment()
    CommentScore.objects.create(
        comment=comment, model_version=old.version, text_version=1, toxicity=0.2
    )
    # when
    row = registry.active_model_version_get_or_register()
    # then
    shipped = load_model(DEFAULT_MODEL_PATH)
    assert row is not None
    assert row.version == shipped.version != version
    assert row.threshold == pytest.approx(shipped.threshold)
    assert len(shipped.attribute_names) == 6
    old.refresh_from_db()
    assert not old.is_active
    assert CommentScore.objects.get(comment=comment).model_version == version
    hold = thresholds.hold_threshold_in_force()
    assert hold.value == pytest.approx(shipped.threshold)
    assert hold.model_version == shipped.version
    model = registry.active_model()[1]
    assert model is not None
    assert model.version == shipped.version
