"""Which classifier scores comments, loaded once per process.

The active and shadow models are rows of ModelVersion. A worker process loads the
active model at start (see moderation.signals) and reloads it when staff activate
another version; the web process never loads a model unless tasks run in-process.
numpy and scipy load with the first model (`classifier.load_model`), never when
this module is imported; scikit-learn and skops are not needed to score.
"""

import json
import logging
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import rows
from moderation import classifier
from moderation.classifier import DEFAULT_MODEL_PATH, ModelLoadError
from moderation.classifier.card import card_path_for
from moderation.models import ModelVersion

if TYPE_CHECKING:
    from moderation.classifier import ToxicityModel

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: dict[str, "ToxicityModel"] = {}
_last_error: dict[str, str] = {}


@dataclass(frozen=True)
class ModelState:
    version: str | None
    error: str | None


def _resolve(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else Path(settings.BASE_DIR) / p


def model_version_register(
    *, path: str | Path, activate: bool = False, shadow: bool = False
) -> ModelVersion:
    """Record an artifact as a model version (its card gives version and metrics)."""
    return _register(path=path, activate=activate, shadow=shadow)[0]


def _register(
    *, path: str | Path, activate: bool, shadow: bool
) -> tuple[ModelVersion, "ToxicityModel"]:
    model = classifier.load_model(_resolve(str(path)))
    card = model.card
    row, _ = ModelVersion.objects.update_or_create(
        version=model.version,
        defaults={
            "path": str(path),
            "metrics": card.get("metrics", {}),
            # The card's news operating point; None when it names none (the
            # site then holds at thresholds.FALLBACK_HOLD_THRESHOLD).
            "threshold": model.thresholds.get("news"),
        },
    )
    if activate:
        model_version_activate(model_version=row)
    elif shadow:
        model_version_set_shadow(model_version=row, shadow=True)
    return row, model


def model_version_activate(*, model_version: ModelVersion) -> ModelVersion:
    with transaction.atomic():
        ModelVersion.objects.filter(is_active=True).exclude(pk=model_version.pk).update(
            is_active=False
        )
        model_version.is_active = True
        model_version.is_shadow = False
        model_version.activated_at = timezone.now()
        model_version.save(update_fields=["is_active", "is_shadow", "activated_at"])
    return model_version


def model_version_set_shadow(*, model_version: ModelVersion, shadow: bool) -> None:
    if model_version.is_active and shadow:
        return
    model_version.is_shadow = shadow
    model_version.save(update_fields=["is_shadow"])


def _shipped_path() -> str:
    path = Path(settings.PARLEY_MODEL_PATH or DEFAULT_MODEL_PATH)
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


_card_versions: dict[tuple[str, int], str | None] = {}


def _shipped_card_version(path: str) -> str | None:
    """The version the shipped model's card names (no model load), or None.
    Read once per card file change, not on every batch."""
    card_file = card_path_for(_resolve(path))
    try:
        key = (str(card_file), card_file.stat().st_mtime_ns)
    except OSError:
        return None
    if key not in _card_versions:
        try:
            card = json.loads(card_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            card = None
        version = card.get("version") if isinstance(card, dict) else None
        _card_versions[key] = str(version) if version else None
    return _card_versions[key]


def active_model_version_get_or_register() -> ModelVersion | None:
    """The active row; on first use, the shipped model is registered and activated.

    When the active row is the shipped model and an upgrade of Parley replaced
    that file with a newer version, the new version is registered and activated
    (the old row stays, for its scores and decisions), so scores are never
    recorded under the version they did not come from.
    """
    row = next(iter(_versions(active=True)), None)
    shipped = _shipped_path()
    if row is not None and (
        row.path != shipped or _shipped_card_version(shipped) in (None, row.version)
    ):
        return row
    try:
        new_row, model = _register(path=shipped, activate=True, shadow=False)
    except ModelLoadError as exc:
        _last_error["active"] = str(exc)
        logger.error("The shipped model could not be loaded: %s", exc)
        return row
    # Its only caller, active_model(), loads the active model next: keep this
    # one instead of reading and building it a second time (twice the start-up
    # time, and the first copy's freed memory stays in the worker's heap).
    with _lock:
        _keep(new_row.version, model)
    if row is not None:
        logger.warning(
            "The shipped model changed from %s to %s; %s is now active.",
            row.version,
            new_row.version,
            new_row.version,
        )
    return new_row


def shadow_model_versions() -> list[ModelVersion]:
    return _versions(active=False, shadow=True)


def _versions(*, active: bool, shadow: bool | None = None) -> list[ModelVersion]:
    """Rows by their flags, in the model's order (newest first). Read for every
    scoring batch: on PostgreSQL with SQL built once per process (core.rows)."""
    flags: dict[str, bool] = {"is_active": active}
    if shadow is not None:
        flags["is_shadow"] = shadow
    if connection.vendor != "postgresql":
        return list(ModelVersion.objects.filter(**flags))
    with connection.cursor() as cursor:
        cursor.execute(_versions_sql(tuple(flags)), list(flags.values()))
        return rows.instances(ModelVersion, rows.fetchall(cursor))


@cache
def _versions_sql(flags: tuple[str, ...]) -> str:
    where = " AND ".join(f"m.{rows.column(ModelVersion, f)} = %s" for f in flags)
    created, pk = (
        rows.column(ModelVersion, "created_at"),
        rows.column(ModelVersion, "id"),
    )
    return (
        f"SELECT {rows.columns(ModelVersion, 'm')} "  # noqa: S608  (names from _meta)
        f"FROM {rows.table(ModelVersion)} m WHERE {where} "
        f"ORDER BY m.{created} DESC, m.{pk} DESC"  # ModelVersion.Meta.ordering
    )


def load(row: ModelVersion) -> "ToxicityModel | None":
    """The loaded model for a row, from this process's cache; None if it fails."""
    cached = _loaded.get(row.version)
    if cached is not None:
        return cached
    with _lock:
        if row.version in _loaded:
            return _loaded[row.version]
        try:
            model = classifier.load_model(_resolve(row.path))
            if model.version != row.version:
                raise ModelLoadError(
                    f"{row.path} now holds model {model.version}, not "
                    f"{row.version}: the file was replaced after it was "
                    "registered. Register the new file as a version of its own "
                    "(or restore the old file) rather than scoring under the "
                    "wrong version."
                )
        except ModelLoadError as exc:
            _last_error[row.version] = str(exc)
            logger.error("Model %s could not be loaded: %s", row.version, exc)
            return None
        _keep(row.version, model)
        return model


def _keep(version: str, model: "ToxicityModel") -> None:
    """Cache a loaded model (under ``_lock``). active_model() keeps only what is
    in use: the active model and any shadow."""
    _loaded[version] = model
    _last_error.pop(version, None)
    _last_error.pop("active", None)


def active_model() -> tuple[ModelVersion | None, "ToxicityModel | None"]:
    row = active_model_version_get_or_register()
    if row is None:
        return None, None
    model = load(row)
    if model is not None:
        for stale in [v for v in _loaded if v != row.version]:
            if not ModelVersion.objects.filter(version=stale, is_shadow=True).exists():
                _loaded.pop(stale, None)
    return row, model


def model_state() -> ModelState:
    """What this process has loaded, for health checks and heartbeats."""
    row = ModelVersion.objects.filter(is_active=True).first()
    if row is not None and row.version in _loaded:
        return ModelState(version=row.version, error=None)
    if row is not None and row.version in _last_error:
        return ModelState(version=None, error=_last_error[row.version])
    if "active" in _last_error:
        return ModelState(version=None, error=_last_error["active"])
    return ModelState(version=None, error="no model loaded yet")


def warm() -> ModelState:
    """Load the active model now (called when a worker process starts)."""
    active_model()
    return model_state()
