"""Queue every pending and held comment for re-scoring with the active model."""

from functools import partial
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.template.defaultfilters import pluralize

from moderation.selectors import rescore_candidates
from moderation.tasks import comment_rescore_task


class Command(BaseCommand):
    help = "Re-score pending and held comments with the active model (queued tasks)."

    def handle(self, *args: Any, **options: Any) -> None:
        pairs = rescore_candidates()
        with transaction.atomic():
            for pk, version in pairs:
                transaction.on_commit(partial(comment_rescore_task.delay, pk, version))
        self.stdout.write(
            f"Queued {len(pairs)} comment{pluralize(len(pairs))} for re-scoring."
        )
