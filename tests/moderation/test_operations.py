from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from articles.models import Comment, CommentStatus
from moderation.models import ModelVersion, PipelineResult
from moderation.services import registry
from moderation.tasks import requeue_stale_pending_task
from tests.factories import make_comment

from .conftest import Post


@pytest.mark.django_db
def test_healthz_is_ok_with_database_and_model(client: Client) -> None:
    """With tasks in-process, /healthz checks the database and loads the model."""
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "worker", "model", "backlog"}
    assert body["checks"]["model"]["detail"].startswith("tox-")


@pytest.mark.django_db
def test_healthz_turns_unhealthy_when_a_comment_waits_too_long(
    client: Client, settings: Any
) -> None:
    """/healthz reports the oldest pending comment's age and fails past the limit."""
    # given
    settings.PARLEY_PENDING_ALERT_SECONDS = 60
    waiting = make_comment(status=CommentStatus.PENDING)
    Comment.objects.filter(pk=waiting.pk).update(
        status_changed_at=timezone.now() - timedelta(seconds=90)
    )
    # when
    response = client.get("/healthz")
    # then
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["backlog"]
    assert 89 <= body["oldest_pending_seconds"] <= 120
    assert "unhealthy above 60s" in body["checks"]["backlog"]["detail"]


@pytest.mark.django_db
def test_healthz_names_a_model_that_cannot_load(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the active model cannot load, /healthz answers 503 and says why."""
    monkeypatch.setattr(registry, "_loaded", {})
    ModelVersion.objects.create(
        version="broken", path="/nonexistent/model.skops", is_active=True
    )
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["model"]
    assert "not found" in body["checks"]["model"]["detail"]


@pytest.mark.django_db
def test_metrics_reports_posts_decisions_reasons_and_latency(
    client: Client, post: Post, regular: User
) -> None:
    """/metrics exposes comments, decisions by outcome and reason, and latency."""
    post(author=regular, body="A civil remark about the council budget.")
    post(author=regular, body="You are a stupid idiot and a pathetic moron.")
    make_comment(status=CommentStatus.PENDING)
    text = client.get("/metrics").content.decode()
    assert "parley_comments_posted_total " in text
    assert 'parley_comments{status="published"}' in text
    assert 'parley_decisions_total{outcome="held",source="pipeline"} 1.0' in text
    assert 'parley_pipeline_reasons_total{reason="TOXIC"} 1.0' in text
    assert "parley_scoring_seconds_bucket" in text
    assert "parley_oldest_pending_seconds" in text


@pytest.mark.django_db
def test_metrics_counts_every_reason_of_every_latest_result(client: Client) -> None:
    """Reason counts come from every result, several reasons each, none lost."""
    # given
    for codes in (["TOXIC", "NEW_AUTHOR"], ["TOXIC"], [], ["WORD_RULE"]):
        PipelineResult.objects.create(
            comment=make_comment(status=CommentStatus.PENDING),
            text_version=1,
            outcome="held" if codes else "published",
            reasons=[{"code": c, "phase": "test", "detail": ""} for c in codes],
        )
    # when
    text = client.get("/metrics").content.decode()
    # then
    assert 'parley_pipeline_reasons_total{reason="TOXIC"} 2.0' in text
    assert 'parley_pipeline_reasons_total{reason="NEW_AUTHOR"} 1.0' in text
    assert 'parley_pipeline_reasons_total{reason="WORD_RULE"} 1.0' in text


@pytest.mark.django_db
def test_sweeper_decides_comments_left_pending(regular: User, settings: object) -> None:
    """The periodic sweeper queues (here: runs) scoring for stale pending comments."""
    settings.PARLEY_STALE_PENDING_SECONDS = 0  # type: ignore[attr-defined]
    stuck = make_comment(author=regular, status=CommentStatus.PENDING)
    queued = requeue_stale_pending_task.apply().get()
    stuck.refresh_from_db()
    assert queued == 1
    assert stuck.status == CommentStatus.PUBLISHED


@pytest.mark.django_db
def test_metrics_token_is_required_when_set(client: Client, settings: object) -> None:
    """With PARLEY_METRICS_TOKEN set, /metrics refuses requests without it."""
    settings.PARLEY_METRICS_TOKEN = "s3cret"  # type: ignore[attr-defined]
    assert client.get("/metrics").status_code == 401
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret")
    assert ok.status_code == 200
