"""Single sign-on: a site's back end signs a short HS256 token for its reader.

Checked with PyJWT: only HS256 is accepted (the algorithm is never read from the
token), the expiry with a small leeway, required claims, a bounded lifetime and
length, and each token id (`jti`) once: used ids are kept in the database until the
token expires, so a token copied from a page cannot sign anyone in again.
"""

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User

from .errors import SignOnRefused
from .models import Site, SiteReader, UsedTokenId

logger = logging.getLogger("parley.sso")

ALGORITHM = "HS256"
LEEWAY = timedelta(seconds=30)
MAX_LIFETIME = timedelta(hours=1)
MAX_TOKEN_LENGTH = 4096
REQUIRED_CLAIMS = ["sub", "name", "exp", "jti"]


def _refuse(site: Site, reason: str, message: str) -> SignOnRefused:
    # The token itself is never logged: it may still be valid for a moment.
    logger.warning("sso refused site=%s reason=%s", site.slug, reason)
    return SignOnRefused(message, code=f"sso_{reason}")


def _decode(site: Site, token: str) -> dict[str, Any]:
    if len(token) > MAX_TOKEN_LENGTH:
        raise _refuse(site, "too_long", "The sign-in token is too long.")
    secrets = site.sso_secrets
    if not secrets:
        raise _refuse(
            site, "not_configured", "This site has not set up single sign-on."
        )
    for n, secret in enumerate(secrets):
        try:
            return jwt.decode(
                token,
                secret,
                algorithms=[ALGORITHM],
                leeway=LEEWAY,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.InvalidSignatureError:
            if n == len(secrets) - 1:
                raise _refuse(
                    site, "bad_signature", "The sign-in token's signature is wrong."
                ) from None
        except jwt.ExpiredSignatureError:
            raise _refuse(
                site, "expired", "The sign-in token has expired; reload the page."
            ) from None
        except jwt.InvalidAlgorithmError:
            raise _refuse(
                site,
                "wrong_algorithm",
                f"The sign-in token must be signed with {ALGORITHM}.",
            ) from None
        except jwt.MissingRequiredClaimError as exc:
            raise _refuse(
                site,
                "missing_claim",
                f"The sign-in token has no '{exc.claim}' claim.",
            ) from None
        except jwt.InvalidTokenError:
            raise _refuse(
                site, "malformed", "The sign-in token is not a valid token."
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _text_claim(site: Site, claims: dict[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _refuse(
            site, "bad_claim", f"The sign-in token's '{name}' claim must be text."
        )
    text = str(value).strip()
    if not text or len(text) > limit:
        raise _refuse(
            site,
            "bad_claim",
            f"The sign-in token's '{name}' claim must be 1 to {limit} characters.",
        )
    return text


def reader_from_token(*, site: Site, token: str) -> User:
    """The reader a valid, unused token names, created or updated; else refused."""
    claims = _decode(site, token.strip())
    reader_id = _text_claim(site, claims, "sub", 255)
    name = _text_claim(site, claims, "name", 50)
    jti = _text_claim(site, claims, "jti", 255)
    email = claims.get("email") or ""
    if not isinstance(email, str) or len(email) > 254 or (email and "@" not in email):
        raise _refuse(site, "bad_claim", "The sign-in token's 'email' is not valid.")
    expires = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    now = timezone.now()
    if expires - now > MAX_LIFETIME:
        raise _refuse(
            site,
            "too_long_lived",
            "The sign-in token must expire within an hour of being used.",
        )
    try:
        with transaction.atomic():
            UsedTokenId.objects.create(site=site, jti=jti, expires_at=expires + LEEWAY)
    except IntegrityError:
        raise _refuse(
            site, "reused", "This sign-in token was already used; reload the page."
        ) from None
    UsedTokenId.objects.filter(expires_at__lt=now).delete()
    user = _link_reader(site=site, reader_id=reader_id, name=name, email=email)
    logger.info("sso signed in site=%s user=%s", site.slug, user.pk)
    return user


def _link_reader(*, site: Site, reader_id: str, name: str, email: str) -> User:
    with transaction.atomic():
        link = (
            SiteReader.objects.select_for_update()
            .select_related("user")
            .filter(site=site, external_id=reader_id)
            .first()
        )
        if link is None:
            digest = hashlib.sha256(f"{site.pk}:{reader_id}".encode()).hexdigest()
            user = User.objects.create(
                username=f"sso-{site.slug}-{digest[:20]}"[:150],
                display_name=name,
                email=email,
                password=make_password(None),
            )
            SiteReader.objects.create(site=site, external_id=reader_id, user=user)
            return user
        user = link.user
        if not user.is_active:
            raise SignOnRefused("This reader's account is closed.", code="sso_inactive")
        changed = [
            field
            for field, value in (("display_name", name), ("email", email))
            if value and getattr(user, field) != value
        ]
        for field in changed:
            setattr(user, field, email if field == "email" else name)
        if changed:
            user.save(update_fields=changed)
        link.last_seen_at = timezone.now()
        link.save(update_fields=["last_seen_at"])
        return user
