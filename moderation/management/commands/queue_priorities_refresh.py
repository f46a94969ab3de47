"""Store the priority of every queued comment again (moderation.services.priority).

Run once after deploying a change to what is stored (migrations 0005, 0009; the
`priorities_repair` beat also repairs rows, within ten minutes), or after writing
comments, reports or sanctions around the services (imports, fixtures).
"""

from typing import Any

from django.core.management.base import BaseCommand

from moderation.services import priority


class Command(BaseCommand):
    help = "Rank every comment of the Needs review and Reported queues again."

    def handle(self, *args: Any, **opts: Any) -> None:
        stored = priority.priorities_refresh_all()
        self.stdout.write(f"{stored:,} queued comments ranked.")
