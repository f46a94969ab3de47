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
from accounts.names import name_key
from articles.demo.content import READERS, STORIES, WORD_RULES
from articles.models import Article, Comment, CommentRevision, CommentStatus
from articles.services import comment_create
from articles.text import render_body
from lifecycle.transitions import counters_recount
from moderation.models import WordRule

CREDENTIALS_FILE = "demo-credentials.txt"
# username: (display name, what it shows, staff, account age in days). Two
# moderators, so an appeal is decided by the one who did not reject the comment.
ACCOUNTS = {
    "moderator": ("Moderator", "staff: /admin/", True, 400),
    "moderator2": ("Second Moderator", "staff: decides appeals", True, 300),
    "regular": (
        "Established Reader",
        "reader whose comments publish at once",
        False,
        365,
    ),
    "reader": ("Demo Reader", "new reader: first comments are checked", False, 30),
}


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
        passwords = {name: secrets.token_urlsafe(9) for name in ACCOUNTS}
        uncivil = self._load(passwords)
        # Uncivil comments go through the real pipeline once the rest is saved.
        for article, comment in uncivil:
            comment_create(
                article=article, author=comment[0], body=comment[1], parent=comment[2]
            )
        creds.parent.mkdir(parents=True, exist_ok=True)
        text = "Demo accounts:\n" + "".join(
            f"  {name:<11}/ {passwords[name]}   ({what})\n"
            for name, (_, what, _, _) in ACCOUNTS.items()
        )
        creds.write_text(text)
        creds.chmod(0o600)
        self.stdout.write(self.style.SUCCESS("Loaded the demo content."))
        self.stdout.write(text)

    @transaction.atomic
    def _load(
        self, passwords: dict[str, str]
    ) -> list[tuple[Article, tuple[User, str, Comment | None]]]:
        now = timezone.now()
        group = Group.objects.filter(name="Moderators").first()
        accounts: dict[str, User] = {}
        for username, (name, _, staff, days) in ACCOUNTS.items():
            user = User.objects.create_user(
                username,
                password=passwords[username],
                display_name=name,
                display_name_key=name_key(name),
                is_staff=staff,
                date_joined=now - timedelta(days=days),
            )
            if staff and group is not None:
                user.groups.add(group)
            accounts[username] = user
        for pattern, kind, note in WORD_RULES:
            WordRule.objects.get_or_create(
                pattern=pattern, kind=kind, defaults={"note": note}
            )
        people = {
            username: User.objects.create_user(
                username,
                password=None,
                display_name=name,
                display_name_key=name_key(name),
                date_joined=now - timedelta(days=200),
            )
            for username, name in READERS.items()
        }
        # The established reader has published before, so their clean comments
        # publish at once; the new reader's first comments wait for a person.
        people["regular"] = accounts["regular"]
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
