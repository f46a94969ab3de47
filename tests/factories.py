from datetime import timedelta
from typing import Any, cast

import factory
from django.utils import timezone

from accounts.models import User
from accounts.names import name_key
from articles.models import Article, Comment, CommentRevision, CommentStatus


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"reader{n}")
    display_name = factory.Sequence(lambda n: f"Reader {n}")
    display_name_key = factory.LazyAttribute(lambda u: name_key(u.display_name))
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class ArticleFactory(factory.django.DjangoModelFactory[Article]):
    class Meta:
        model = Article

    slug = factory.Sequence(lambda n: f"story-{n}")
    title = factory.Sequence(lambda n: f"Story number {n}")
    standfirst = "A short standfirst."
    body = "The body of the story."
    byline = "A. Reporter"
    section = "News"
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    """A comment saved directly in a given status (bypassing the pipeline)."""

    class Meta:
        model = Comment
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"A thoughtful comment, number {n}.")
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


# Typed entry points: factory_boy has no type information, so tests call these.
def make_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def make_users(count: int, **fields: Any) -> list[User]:
    return cast(list[User], UserFactory.create_batch(count, **fields))


def make_article(**fields: Any) -> Article:
    return cast(Article, ArticleFactory(**fields))


def make_comment(**fields: Any) -> Comment:
    return cast(Comment, CommentFactory(**fields))


def make_comments(count: int, **fields: Any) -> list[Comment]:
    return cast(list[Comment], CommentFactory.create_batch(count, **fields))
