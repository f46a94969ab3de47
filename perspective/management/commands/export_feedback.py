"""``manage.py export_feedback OUT.jsonl``: the labels clients suggested, as the
JSON lines ``python -m moderation.classifier train --include-feedback`` reads.

The classifier package never imports Django, so the database is read here and
handed over as a file (which also records exactly what a model was trained on).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from perspective.services import feedback_labels


class Command(BaseCommand):
    help = "Write stored suggested scores as training labels (JSON lines)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        count = 0
        with out.open("w", encoding="utf-8") as f:
            for row in feedback_labels():
                f.write(json.dumps({"text": row.text, "label": row.label}) + "\n")
                count += 1
        self.stdout.write(f"{count} labelled texts written to {out}")
