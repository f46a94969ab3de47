"""The API's token authentication, reading what every write checks with the token."""

from functools import cache
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.models import User
from core import rows
from moderation.models import AuthorStanding


@cache
def _token_sql() -> str:
    # The query `select_related("user", "user__standing")` would build, written
    # once: compiling it cost more than running it, on every API write.
    user_pk = rows.quote(User._meta.pk.column)
    return (
        # Identifiers from the models' _meta; the key is a parameter.
        f"SELECT {rows.columns(Token, 't')}, {rows.columns(User, 'u')}, "  # noqa: S608
        f"{rows.columns(AuthorStanding, 's')} "
        f"FROM {rows.table(Token)} t "
        f"INNER JOIN {rows.table(User)} u ON u.{user_pk} = t.{rows.quote('user_id')} "
        f"LEFT OUTER JOIN {rows.table(AuthorStanding)} s "
        f"ON s.{rows.quote('user_id')} = u.{user_pk} "
        f"WHERE t.{rows.quote('key')} = %s"
    )


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's, with the reader's standing (bans, suspensions) read in the same query:
    every comment write checks it (articles.services), and a second query per
    write cost more than the join. The user carries it as `preloaded_standing`
    (None when the reader has no standing row) for this request only."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        with connection.cursor() as cursor:
            cursor.execute(_token_sql(), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        t, u = rows.width(Token), rows.width(User)
        token = rows.instance(Token, row[:t])
        # Any: it carries `preloaded_standing` for this request.
        user: Any = rows.instance(User, row[t : t + u])
        standing_row = row[t + u :]
        standing = (
            None
            if standing_row[0] is None
            else rows.instance(AuthorStanding, standing_row)
        )
        token.user = user
        if standing is not None:
            standing.user = user
        User.standing.related.set_cached_value(user, standing)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user.preloaded_standing = standing
        return (user, token)
