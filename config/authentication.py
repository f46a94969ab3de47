"""The API's token authentication, reading what every write checks with the token."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's, with the reader's standing (bans, suspensions) read in the same query:
    every comment write checks it (articles.services), and a second query per
    write cost more than the join. The user carries it as `preloaded_standing`
    (None when the reader has no standing row) for this request only."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        model = Token
        try:
            token = model.objects.select_related("user", "user__standing").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        try:
            user.preloaded_standing = user.standing
        except ObjectDoesNotExist:
            user.preloaded_standing = None
        return (user, token)
