"""Accounts readers can manage: reset, change, and coming back to the story."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from articles.models import Article

PASSWORD = "correct horse battery staple"


def _link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, body
    return match.group(1)


@pytest.mark.django_db
def test_login_page_offers_forgot_password(client: Client) -> None:
    """The log-in page links to the password reset form."""
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">Forgot password?</a>' in page


@pytest.mark.django_db
def test_password_reset_by_email_sets_a_new_password(
    client: Client, reader: User
) -> None:
    """A reset link by email lets the reader choose a new password, once."""
    # when
    response = client.post(reverse("password_reset"), {"email": reader.email})
    # then
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "alice" in mail.outbox[0].body
    link = _link(str(mail.outbox[0].body))
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
        follow=True,
    )
    assert "Your new password is set" in done.content.decode()
    reader.refresh_from_db()
    assert reader.check_password("a-new-long-passphrase")
    again = client.get(link, follow=True)
    assert "already been used or has expired" in again.content.decode()


@pytest.mark.django_db
def test_password_reset_is_rate_limited(client: Client, reader: User) -> None:
    """Asking again and again for the same address is refused with 429."""
    codes = [
        client.post(reverse("password_reset"), {"email": reader.email}).status_code
        for _ in range(4)
    ]
    assert codes == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    refused = client.post(reverse("password_reset"), {"email": reader.email})
    assert refused["Retry-After"] == "3600"
    assert "check your email, including the spam folder" in refused.content.decode()


@pytest.mark.django_db
def test_password_change_needs_the_old_password(
    reader_client: Client, reader: User
) -> None:
    """Changing the password asks for the current one and says when it is done."""
    url = reverse("password_change")
    wrong = reader_client.post(
        url,
        {
            "old_password": "not it",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    done = reader_client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
        follow=True,
    )
    assert "Your password is changed." in done.content.decode()
    reader.refresh_from_db()
    assert reader.check_password("a-new-long-passphrase")


@pytest.mark.django_db
def test_email_change_waits_for_the_link_sent_to_the_new_address(
    reader_client: Client, reader: User
) -> None:
    """The address changes only when the link sent to the new address is followed."""
    # when
    response = reader_client.post(
        reverse("email_change"),
        {"email": "alice@new.example", "password": PASSWORD},
        follow=True,
    )
    # then
    assert "We sent a link to alice@new.example" in response.content.decode()
    reader.refresh_from_db()
    assert reader.email == "alice@example.org"
    assert mail.outbox[0].to == ["alice@new.example"]
    link = _link(str(mail.outbox[0].body))
    assert reader_client.get(link).status_code == 200  # a scanner changes nothing
    reader.refresh_from_db()
    assert reader.email == "alice@example.org"
    confirmed = reader_client.post(link, follow=True)
    assert "Your email address is now alice@new.example" in confirmed.content.decode()
    reader.refresh_from_db()
    assert reader.email == "alice@new.example"
    assert mail.outbox[-1].to == ["alice@example.org"]  # the old address is told
    assert "changed to alice@new.example" in str(mail.outbox[-1].body)
    # A second use of the link (the old address is gone) is refused.
    assert reader_client.post(link).status_code == 400


@pytest.mark.django_db
def test_email_change_needs_the_password_and_a_valid_link(
    reader_client: Client, reader: User
) -> None:
    """A wrong password or a forged link changes nothing and says why."""
    wrong = reader_client.post(
        reverse("email_change"), {"email": "x@new.example", "password": "nope"}
    )
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.content.decode()
    forged = reader_client.post(reverse("email_confirm", args=["forged:token"]))
    assert forged.status_code == 400
    assert "invalid or has expired" in forged.content.decode()
    reader.refresh_from_db()
    assert reader.email == "alice@example.org"


@pytest.mark.django_db
def test_display_name_change(reader_client: Client, reader: User) -> None:
    """A reader renames themself; a staff-looking name is refused with the reason."""
    url = reverse("display_name_change")
    refused = reader_client.post(url, {"display_name": "Admin"})
    assert refused.status_code == 400
    assert "reads like a member of staff" in refused.content.decode()
    done = reader_client.post(url, {"display_name": "Alice B."}, follow=True)
    assert "Your display name is now Alice B." in done.content.decode()


@pytest.mark.django_db
def test_signup_and_login_return_to_the_story(
    client: Client, reader: User, article: Article
) -> None:
    """After signing up or logging in from a story, the reader is back on it."""
    story = article.get_absolute_url()
    page = client.get(story).content.decode()
    assert f"{reverse('signup')}?next={story}" in page
    signed_up = client.post(
        f"{reverse('signup')}?next={story}",
        {
            "username": "newreader",
            "display_name": "New Reader",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            "next": story,
        },
    )
    assert signed_up["Location"] == story
    client.logout()
    logged_in = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD, "next": story},
    )
    assert logged_in["Location"] == story
    elsewhere = Client().post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert elsewhere["Location"] == reverse("articles:list")
