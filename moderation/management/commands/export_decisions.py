"""Moderators' decisions as training labels for the classifier (JSON lines).

    python manage.py export_decisions --out decisions.jsonl
    python -m moderation.classifier train --out NEW.skops \
        --include-decisions decisions.jsonl

Labels, from the latest moderator decision on each comment, on the text it judged:
rejected as abusive → 1 (toxic); published after being held → 0 (not toxic).
Other decisions (spam, off-topic, ...) say nothing about toxicity and are skipped.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from moderation.selectors import decision_labels


class Command(BaseCommand):
    help = "Write moderators' decisions as JSON lines {text, label} for training."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        rows = decision_labels()
        out: Path = options["out"]
        with out.open("w", encoding="utf-8") as f:
            for text, label in rows:
                f.write(json.dumps({"text": text, "label": label}) + "\n")
        toxic = sum(label for _, label in rows)
        self.stdout.write(
            f"Wrote {len(rows)} labelled comments to {out} "
            f"({toxic} toxic, {len(rows) - toxic} not toxic)."
        )
