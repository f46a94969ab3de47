"""Suggested scores reach training through a file (the classifier has no Django)."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from moderation.classifier.data import load_jsonl_labels
from perspective.models import ApiKey
from perspective.requests import SuggestRequest
from perspective.services import api_key_create, feedback_create


def suggest(key: ApiKey, text: str, status: str, token: str) -> None:
    request = SuggestRequest(
        text=text, text_type="PLAIN_TEXT", scores={status: 1.0}, client_token=token
    )
    feedback_create(api_key=key, request=request, visible_text=text)


@pytest.mark.django_db
def test_export_writes_the_latest_label_of_each_stored_text(tmp_path: Path) -> None:
    # given
    keeper, _ = api_key_create(name="newsroom", may_store_text=True)
    private, _ = api_key_create(name="private")
    suggest(keeper, "you muppet", "APPROVED", "comment:1")
    suggest(keeper, "you muppet", "DELETED", "comment:1")  # decision changed
    suggest(keeper, "lovely piece", "APPROVED", "comment:2")
    suggest(keeper, "no label here", "PINNED", "comment:3")
    suggest(private, "never stored", "DELETED", "comment:4")
    out = tmp_path / "feedback.jsonl"
    # when
    call_command("export_feedback", str(out), stdout=io.StringIO())
    # then
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((r["text"], r["label"]) for r in rows) == [
        ("lovely piece", 0),
        ("you muppet", 1),
    ]
    examples = load_jsonl_labels(out)
    assert {e.text for e in examples} == {"lovely piece", "you muppet"}
    assert all(e.split == "train" for e in examples)


def test_train_takes_the_exported_file() -> None:
    # when
    result = subprocess.run(
        [sys.executable, "-m", "moderation.classifier", "train", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    # then
    assert "--include-feedback" in result.stdout
