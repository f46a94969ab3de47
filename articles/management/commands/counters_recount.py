"""Recount the stories' and comments' counters from the comments themselves.

The transitions keep `published_comment_count`, `shown_top_level_count` (a
thread's page count) and `published_reply_count` right as statuses change. Run
this after writing comments around them (an import, fixtures, a repair by hand
in SQL); it is safe to run at any time and changes only counts that are wrong.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.models import Article
from lifecycle.transitions import counters_recount


class Command(BaseCommand):
    help = "Recount published comments, shown top-level comments and replies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--story",
            action="append",
            default=[],
            metavar="SLUG",
            help="only this story (repeat for more); every story by default",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        slugs: list[str] = opts["story"]
        ids = None
        if slugs:
            found = dict(
                Article.objects.filter(slug__in=slugs).values_list("slug", "pk")
            )
            missing = sorted(set(slugs) - found.keys())
            if missing:
                raise CommandError(
                    f"There is no story {', '.join(map(repr, missing))}; "
                    "give the slug shown in the story's address."
                )
            ids = list(found.values())
        stories, comments = counters_recount(article_ids=ids)
        story_word = "story" if stories == 1 else "stories"
        comment_word = "comment" if comments == 1 else "comments"
        self.stdout.write(
            f"Counts mended: {stories:,} {story_word}, {comments:,} {comment_word}."
        )
