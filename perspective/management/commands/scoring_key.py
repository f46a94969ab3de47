"""``manage.py scoring_key create NAME`` (prints the key once) / ``revoke NAME``
/ ``list``: keys of the Perspective-compatible API."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perspective import services
from perspective.models import ApiKey


class Command(BaseCommand):
    help = "Create, revoke or list keys of the Perspective-compatible API."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print it once")
        create.add_argument("name")
        create.add_argument("--qps", type=int, default=10, help="queries per second")
        create.add_argument(
            "--replace",
            action="store_true",
            help="revoke a key of that name first (renamed NAME-revoked-ID)",
        )
        create.add_argument(
            "--store-text",
            action="store_true",
            help="keep the text of suggested scores as training data",
        )
        revoke = sub.add_parser("revoke", help="revoke a key (it stops working)")
        revoke.add_argument("name")
        sub.add_parser("list", help="list keys (never the keys themselves)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            if options["qps"] < 1:
                raise CommandError("--qps must be at least 1")
            if options["replace"]:
                services.api_key_retire(name=options["name"])
            try:
                row, key = services.api_key_create(
                    name=options["name"],
                    qps_limit=options["qps"],
                    may_store_text=options["store_text"],
                )
            except services.ApiKeyError as error:
                raise CommandError(str(error)) from error
            self.stderr.write(
                f"Key {row.name} ({row.qps_limit} queries/s, store text: "
                f"{'yes' if row.may_store_text else 'no'}). It is shown only "
                "now; keep it somewhere safe:"
            )
            self.stdout.write(key)
        elif action == "revoke":
            found = ApiKey.objects.filter(name=options["name"]).first()
            if found is None:
                raise CommandError(f"no key named {options['name']!r}")
            services.api_key_revoke(api_key=found)
            self.stdout.write(f"Key {found.name} revoked.")
        else:
            for row in ApiKey.objects.all():
                state = "revoked" if row.is_revoked else "live"
                self.stdout.write(
                    f"{row.name}\t{row.prefix}…\t{row.qps_limit}/s\t{state}"
                )
