"""Account writes: display names, email changes. Every refusal is a ServiceError."""

from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.errors import InvalidInput
from lifecycle.events import author_renamed_announce

from .models import User
from .names import name_key, name_problem

EMAIL_CHANGE_SALT = "accounts.email-change"
EMAIL_CHANGE_MAX_AGE = 2 * 24 * 60 * 60


def display_name_clean(*, name: str, user: User | None = None) -> str:
    """The name with runs of spaces collapsed, or a refusal saying what is wrong."""
    name = " ".join(part for part in name.split(" ") if part)
    if not name:
        raise InvalidInput("Please choose a display name.", code="display_name_empty")
    problem = name_problem(name)
    if problem:
        raise InvalidInput(problem, code="display_name_refused")
    taken = User.objects.filter(display_name_key=name_key(name))
    if user is not None and user.pk:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise InvalidInput(
            "That display name, or one that reads the same, is already taken.",
            code="display_name_taken",
        )
    return name


def display_name_set(*, user: User, name: str) -> User:
    """Give the reader a new display name (checked, and unique once folded)."""
    name = display_name_clean(name=name, user=user)
    user.display_name = name
    user.display_name_key = name_key(name)
    try:
        with transaction.atomic():
            user.save(update_fields=["display_name", "display_name_key"])
            # Names are in every cached thread the user commented on.
            author_renamed_announce(user_id=user.pk)
    except IntegrityError as exc:
        raise InvalidInput(
            "That display name, or one that reads the same, is already taken.",
            code="display_name_taken",
        ) from exc
    return user


def email_change_request(*, user: User, new_email: str, base_url: str) -> None:
    """Send a confirmation link to the new address; nothing changes until it is
    followed. The link is signed, names the old address (so it stops working once
    the address changes) and expires after two days."""
    new_email = new_email.strip()
    if new_email.casefold() == (user.email or "").casefold():
        raise InvalidInput(
            "That is already your email address.", code="email_unchanged"
        )
    token = signing.dumps(
        {"user": user.pk, "old": user.email, "new": new_email}, salt=EMAIL_CHANGE_SALT
    )
    link = base_url + reverse("email_confirm", args=[token])
    send_mail(
        subject="Confirm your new email address",
        message=(
            f"Hello {user.public_name},\n\n"
            "Someone (we hope you) asked to use this address for a Parley account. "
            f"To confirm, open this link within two days:\n\n{link}\n\n"
            "If it was not you, ignore this email; nothing will change."
        ),
        from_email=None,
        recipient_list=[new_email],
    )


def email_change_confirm(*, token: str) -> User:
    """Apply the change a confirmation link names, once."""
    refused = InvalidInput(
        "This confirmation link is invalid or has expired. Please ask for a new one "
        "from your account page.",
        code="email_link_invalid",
    )
    try:
        data = signing.loads(
            token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE
        )
    except signing.BadSignature as exc:
        raise refused from exc
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("user")).first()
        if user is None or user.email != data.get("old"):
            raise refused
        user.email = data["new"]
        user.save(update_fields=["email"])
    if data.get("old"):
        # The old address hears of the change, so a hijacked session that changed
        # it does not go unnoticed.
        send_mail(
            subject="Your email address was changed",
            message=(
                f"Hello {user.public_name},\n\n"
                "The email address of your Parley account was changed to "
                f"{data['new']}. If you did not do this, reply to this email or use "
                "the help link below any comment section."
            ),
            from_email=None,
            recipient_list=[data["old"]],
        )
    return user
