"""Serve the demo newsroom (sites/demo/newsroom.py) for `make run`."""

from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.core.management.base import BaseCommand

from sites.demo.newsroom import make_app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # the URL printed at start is enough; tokens stay out of logs


class Command(BaseCommand):
    help = "Serve the demo newsroom that embeds Parley (see `make run`)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--parley-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        app = make_app(parley_url=options["parley_url"])
        server = make_server(
            "127.0.0.1", options["port"], app, handler_class=_QuietHandler
        )
        self.stdout.write(
            f"Demo newsroom: http://localhost:{options['port']}/ (embeds Parley from "
            f"{options['parley_url']})"
        )
        server.serve_forever()
