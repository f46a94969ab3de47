"""Queue every pending and held comment for re-scoring with the active model."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.template.defaultfilters import pluralize

from moderation.services.rescoring import comments_rescore_schedule


class Command(BaseCommand):
    help = "Re-score pending and held comments with the active model (queued tasks)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            queued = comments_rescore_schedule()
        self.stdout.write(f"Queued {queued} comment{pluralize(queued)} for re-scoring.")
