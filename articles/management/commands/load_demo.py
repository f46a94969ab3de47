"""Load Parley's demo stories, readers and discussions into an empty database."""

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from articles.demo.content import READERS, STORIES
from articles.models import Article, Comment, CommentRevision, CommentStatus
from articles.services import comment_create
from articles.text import render_body
from lifecycle.transitions import counters_recount

CREDENTIALS_FILE = "demo-credentials.txt"


class Command(BaseCommand):
    help = "Load demo stories, readers and threads if the database has no stories."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--credentials-dir",
            default=str(Path(settings.BASE_DIR) / "var"),
            help="Where to write the demo accounts' passwords.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        creds = Path(options["credentials_dir"]) / CREDENTIALS_FILE
        if Article.objects.exists():
            self.stdout.write("Demo content already loaded (the database has stories).")
            if creds.exists():
                self.stdout.write(creds.read_text())
            return
        moderator_pw = secrets.token_urlsafe(9)
        reader_pw = secrets.token_urlsafe(9)
        uncivil = self._load(moderator_pw, reader_pw)
        # Uncivil comments go through the real pipeline once the rest is saved.
        for article, comment in uncivil:
            comment_create(
                article=article, author=comment[0], body=comment[1], parent=comment[2]
            )
        creds.parent.mkdir(parents=True, exist_ok=True)
        text = (
            "Demo accounts:\n"
            f"  moderator  / {moderator_pw}   (staff: /admin/)\n"
            f"  reader     / {reader_pw}\n"
        )
        creds.write_text(text)
        creds.chmod(0o600)
        self.stdout.write(self.style.SUCCESS("Loaded the demo content."))
        self.stdout.write(text)

    @transaction.atomic
    def _load(
        self, moderator_pw: str, reader_pw: str
    ) -> list[tuple[Article, tuple[User, str, Comment | None]]]:
        now = timezone.now()
        moderator = User.objects.create_user(
            "moderator",
            password=moderator_pw,
            display_name="Moderator",
            is_staff=True,
            date_joined=now - timedelta(days=400),
        )
        group = Group.objects.filter(name="Moderators").first()
        if group is not None:
            moderator.groups.add(group)
        User.objects.create_user(
            "reader",
            password=reader_pw,
            display_name="Demo Reader",
            date_joined=now - timedelta(days=30),
        )
        people = {
            username: User.objects.create_user(
                username,
                password=None,
                display_name=name,
                date_joined=now - timedelta(days=200),
            )
            for username, name in READERS.items()
        }
        pending: list[tuple[Article, tuple[User, str, Comment | None]]] = []
        for story in STORIES:
            published = now - timedelta(hours=story["hours_ago"])
            article = Article.objects.create(
                slug=story["slug"],
                title=story["title"],
                standfirst=story["standfirst"],
                byline=story["byline"],
                section=story["section"],
                body=story["body"],
                published_at=published,
            )
            saved: dict[str, Comment] = {}
            for n, item in enumerate(story["comments"]):
                parent = saved.get(item.parent) if item.parent else None
                if item.uncivil:
                    pending.append((article, (people[item.author], item.body, parent)))
                    continue
                at = published + timedelta(minutes=7 * (n + 1))
                comment = Comment.objects.create(
                    article=article,
                    parent=parent,
                    root=(parent.root or parent) if parent else None,
                    depth=parent.depth + 1 if parent else 0,
                    author=people[item.author],
                    body=item.body,
                    body_html=render_body(item.body),
                    status=CommentStatus.PUBLISHED,
                    created_at=at,
                    status_changed_at=at,
                )
                CommentRevision.objects.create(
                    comment=comment, version=1, body=item.body, created_at=at
                )
                saved[item.key] = comment
        # The demo's comments are written as published, around the transitions.
        counters_recount()
        return pending
