"""Observe who gets what on every route: the permission matrix's measuring side."""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from articles.models import Article, Comment, CommentStatus
from sites.models import ModeratorSites
from tests.factories import make_article, make_comment, make_site, make_user
from tests.security.routes import Route

ROLES = (
    "anonymous",
    "reader",
    "other_reader",
    "moderator",
    "site_moderator",  # a moderator limited to another site than the story's
    "superuser",
)


@dataclass
class World:
    article: Article
    comment: Comment  # the reader's own, rejected (so it may be appealed)
    clients: dict[str, Client]
    users: dict[str, User | None]


def _clients(users: dict[str, User | None]) -> dict[str, Client]:
    clients = {}
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


def build_world() -> World:
    article = make_article(slug="matrix-story", title="Matrix story")
    reader = make_user(username="matrix-reader")
    other = make_user(username="matrix-other")
    moderator = make_user(username="matrix-moderator", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    site_moderator = make_user(username="matrix-site-moderator", is_staff=True)
    site_moderator.groups.add(Group.objects.get(name="Moderators"))
    other_site = make_site(name="Another paper", slug="another-paper")
    ModeratorSites.objects.create(user=site_moderator).sites.add(other_site)
    superuser = make_user(username="matrix-admin", is_staff=True, is_superuser=True)
    comment = make_comment(
        article=article, author=reader, status=CommentStatus.REJECTED
    )
    users: dict[str, User | None] = {
        "anonymous": None,
        "reader": reader,
        "other_reader": other,
        "moderator": moderator,
        "site_moderator": site_moderator,
        "superuser": superuser,
    }
    return World(article=article, comment=comment, clients=_clients(users), users=users)


def _object_id(route: Route, world: World) -> str:
    """The pk of an existing object of the admin page's model, else "0"."""
    name = route.name.removeprefix("admin:")
    for model in apps.get_models():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            if model is Comment or issubclass(model, Comment):
                return str(world.comment.pk)
            first = model._default_manager.order_by("pk").first()
            return str(first.pk) if first else "0"
    return "0"


def url_of(route: Route, world: World) -> str:
    url = route.url(
        slug=world.article.slug,
        pk=world.comment.pk,
        comment_id=world.comment.pk,
        id=world.comment.author_id,
        object_id=_object_id(route, world),
        content_type_id="0",
        site=world.article.site.slug,
        external_id=world.article.external_id,
        version="0",
        name="embed.js",
    )
    if "(?P<app_label>" in url:
        url = "/admin/moderation/"
    if "(?P<url>" in url:
        url = "/admin/no-such-page/"
    return url


def observe(
    routes: list[Route], world: World, method: str, keep: Callable[[Route], bool]
) -> dict[str, tuple[int, ...]]:
    seen = {}
    for route in routes:
        if not keep(route):
            continue
        url = url_of(route, world)
        row = []
        for role in ROLES:
            client = world.clients[role]
            response = getattr(client, method)(url)
            row.append(response.status_code)
        seen[route.name] = tuple(row)
        if route.name.endswith("logout"):
            world.clients = _clients(world.users)  # signed in again
    return seen
