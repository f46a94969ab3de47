from datetime import timedelta
from typing import Any, cast

import factory
from django.utils import timezone

from accounts.models import User
from accounts.names import name_key
from articles.models import Article, Comment, CommentRevision, CommentStatus
from articles.text import render_body
from lifecycle.transitions import counters_recount
from moderation.models import Decision, PipelineResult, Report
from moderation.services.priority import priorities_refresh
from readers.models import Appeal, Notification, NotificationKind, ProblemReport
from sites.models import Site


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"reader{n}")
    display_name = factory.Sequence(lambda n: f"Reader {n}")
    # Left blank (not checked for uniqueness), so tests may give many users
    # look-alike or hostile names; make_reader() folds it as sign-up does.
    display_name_key = ""
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site
        django_get_or_create = ("slug",)

    name = "Parley News"
    slug = "parley"


class ArticleFactory(factory.django.DjangoModelFactory[Article]):
    class Meta:
        model = Article

    site = factory.SubFactory(SiteFactory)
    slug = factory.Sequence(lambda n: f"story-{n}")
    external_id = factory.LazyAttribute(lambda a: a.slug)
    title = factory.Sequence(lambda n: f"Story number {n}")
    standfirst = "A short standfirst."
    body = "The body of the story."
    byline = "A. Reporter"
    section = "News"
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    """A comment saved directly in a given status (bypassing the pipeline).

    A comment that left "pending" gets the pipeline's Decision row that moved it
    there, as in production (pass `decision=False` for none).
    """

    class Meta:
        model = Comment
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"A thoughtful comment, number {n}.")
    body_html = factory.LazyAttribute(lambda c: render_body(c.body))
    status = CommentStatus.PUBLISHED
    parent = None
    root = factory.LazyAttribute(
        lambda c: (c.parent.root or c.parent) if c.parent else None
    )
    depth = factory.LazyAttribute(lambda c: c.parent.depth + 1 if c.parent else 0)

    @factory.post_generation
    def revision(
        obj: Comment, create: bool, extracted: object, **kwargs: object
    ) -> None:
        if create:
            CommentRevision.objects.create(comment=obj, version=1, body=obj.body)

    @factory.post_generation
    def decision(
        obj: Comment, create: bool, extracted: object, **kwargs: object
    ) -> None:
        if create and extracted is not False and obj.status != CommentStatus.PENDING:
            Decision.objects.create(
                comment=obj,
                text_version=obj.text_version,
                from_status=CommentStatus.PENDING,
                to_status=obj.status,
                source=Decision.Source.PIPELINE,
                created_at=obj.created_at,
            )

    @factory.post_generation
    def counters(
        obj: Comment, create: bool, extracted: object, **kwargs: object
    ) -> None:
        # Saved around the transitions, so the story's counters are recounted.
        if create:
            counters_recount(article_ids=[obj.article_id])

    @factory.post_generation
    def queue(obj: Comment, create: bool, extracted: object, **kwargs: object) -> None:
        # And its place in a ranked queue is stored as the hooks would store it.
        if create:
            priorities_refresh(comment_ids=[obj.pk])


class DecisionFactory(factory.django.DjangoModelFactory[Decision]):
    """A moderator's decision that kept the comment's status (e.g. a note)."""

    class Meta:
        model = Decision

    comment = factory.SubFactory(CommentFactory)
    text_version = factory.LazyAttribute(lambda d: d.comment.text_version)
    from_status = factory.LazyAttribute(lambda d: d.comment.status)
    to_status = factory.LazyAttribute(lambda d: d.comment.status)
    source = Decision.Source.MODERATOR
    actor = factory.SubFactory(UserFactory, is_staff=True)


class PipelineResultFactory(factory.django.DjangoModelFactory[PipelineResult]):
    """The pipeline's verdict on a held comment: the classifier found it toxic."""

    class Meta:
        model = PipelineResult
        skip_postgeneration_save = True

    comment = factory.SubFactory(CommentFactory, status=CommentStatus.HELD)
    text_version = factory.LazyAttribute(lambda r: r.comment.text_version)
    outcome = "hold"
    reasons = factory.LazyFunction(
        lambda: [{"code": "TOXIC", "phase": "classifier", "detail": ""}]
    )
    toxicity = 0.73
    model_version = "m1"

    @factory.post_generation
    def queue(
        obj: PipelineResult, create: bool, extracted: object, **kwargs: object
    ) -> None:
        if create:
            priorities_refresh(comment_ids=[obj.comment_id])


class ReportFactory(factory.django.DjangoModelFactory[Report]):
    """A reader's pending report of a published comment."""

    class Meta:
        model = Report
        skip_postgeneration_save = True

    comment = factory.SubFactory(CommentFactory)
    reporter = factory.SubFactory(UserFactory)
    reason = "abusive"
    weight = 1.0

    @factory.post_generation
    def queue(obj: Report, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            priorities_refresh(comment_ids=[obj.comment_id])


class AppealFactory(factory.django.DjangoModelFactory[Appeal]):
    """An author's pending appeal against a moderator's rejection."""

    class Meta:
        model = Appeal

    comment = factory.SubFactory(CommentFactory, status=CommentStatus.REJECTED)
    appellant = factory.LazyAttribute(lambda a: a.comment.author)
    note = "I think this was a mistake."


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = NotificationKind.COMMENT_STATUS
    key = factory.Sequence(lambda n: f"test:{n}")
    message = "Your comment is published."


class ProblemReportFactory(factory.django.DjangoModelFactory[ProblemReport]):
    class Meta:
        model = ProblemReport

    kind = ProblemReport.Kind.CANNOT_POST
    description = "The post button does nothing."
    email = "reader@example.org"


# Typed entry points: factory_boy has no type information, so tests call these.
def make_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def make_reader(**fields: Any) -> User:
    """A user whose display name is taken as sign-up takes it (folded, unique)."""
    user = make_user(**fields)
    user.display_name_key = name_key(user.display_name)
    user.save(update_fields=["display_name_key"])
    return user


def make_users(count: int, **fields: Any) -> list[User]:
    return cast(list[User], UserFactory.create_batch(count, **fields))


def make_site(**fields: Any) -> Site:
    return cast(Site, SiteFactory(**fields))


def make_article(**fields: Any) -> Article:
    return cast(Article, ArticleFactory(**fields))


def make_comment(**fields: Any) -> Comment:
    return cast(Comment, CommentFactory(**fields))


def make_comments(count: int, **fields: Any) -> list[Comment]:
    return cast(list[Comment], CommentFactory.create_batch(count, **fields))


def make_held_comment(**fields: Any) -> Comment:
    """A comment the pipeline held: its Decision row and its PipelineResult."""
    comment = make_comment(status=CommentStatus.HELD, **fields)
    PipelineResultFactory(comment=comment)
    return comment


def make_decision(**fields: Any) -> Decision:
    return cast(Decision, DecisionFactory(**fields))


def make_pipeline_result(**fields: Any) -> PipelineResult:
    return cast(PipelineResult, PipelineResultFactory(**fields))


def make_report(**fields: Any) -> Report:
    return cast(Report, ReportFactory(**fields))


def make_appeal(**fields: Any) -> Appeal:
    return cast(Appeal, AppealFactory(**fields))


def make_notification(**fields: Any) -> Notification:
    return cast(Notification, NotificationFactory(**fields))


def make_problem_report(**fields: Any) -> ProblemReport:
    return cast(ProblemReport, ProblemReportFactory(**fields))
