"""Display names: no impersonation of staff or of other readers."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User
from accounts.names import name_key, name_problem, reads_as_staff
from core.errors import InvalidInput
from tests.factories import make_reader, make_user


@pytest.mark.parametrize(
    "name",
    [
        "Moderator",
        "moderator",
        "The Admin",
        "ADMINISTRATOR",
        "M0derator",  # digit zero
        "Adm1n",  # digit one
        "\u0410dmin",  # Cyrillic capital A
        "\uff2d\uff4f\uff44\uff45\uff52\uff41\uff54\uff4f\uff52",  # fullwidth
        "Mod\u00e9rator",  # accented
        "Parley",
        "parley team",
        "Parley News fan",  # the site's name
        "Site Staff",
        "Mod Team",
        "Parley Support",
        "The Editor",
        "TheAdmin",
        "M o d e r a t o r",
    ],
)
def test_names_that_read_as_staff_are_refused(name: str) -> None:
    """Staff words are refused however they are spelt or disguised."""
    # when
    problem = name_problem(name)
    # then
    assert problem is not None
    assert "reads like a member of staff" in problem


@pytest.mark.parametrize(
    "name",
    [
        "Alice",
        "Modesty Blaise",
        "José Álvarez",
        "李小龙",
        "Ngozi O.",
        "R2-D2",
        "Arsenal supporter",
        "Stafford Sam",
        "Creditor",
        "Badminton fan",
    ],
)
def test_ordinary_names_are_accepted(name: str) -> None:
    """Readers' own names, in any script, pass."""
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("Bob\u202eevil", "text-direction"),  # right-to-left override
        ("Bob\u2066x\u2069", "text-direction"),  # isolates
        ("Zero\u200bwidth", "invisible"),
        ("Join\u200dme", "invisible"),
        ("\u3164", "invisible"),  # Hangul filler, a "letter" that shows nothing
        ("Tab\there", "invisible"),
        ("No\u00a0break", "ordinary spaces"),
    ],
)
def test_invisible_and_direction_characters_are_refused(name: str, what: str) -> None:
    """Characters that hide or reorder text cannot be part of a name."""
    problem = name_problem(name)
    assert problem is not None
    assert what in problem


def test_look_alike_names_fold_to_the_same_key() -> None:
    """Case, accents, separators and confusable letters fold away."""
    assert name_key("J. Smith") == name_key("j smith") == "jsmith"
    assert name_key("\u0408.\u0405mith") == "jsmith"  # Cyrillic Je and Dze
    assert (
        name_key("Alice")
        == name_key("A1ICE")
        == name_key("Al\u0456ce")
        == name_key("\u0430lice")
    )
    assert name_key("Bob") != name_key("Rob")


@pytest.mark.django_db
def test_a_name_that_reads_like_a_taken_one_is_refused() -> None:
    """Display names are unique after case and confusable folding."""
    # given
    make_reader(username="alice", display_name="Alice")
    newcomer = make_reader(username="mallory", display_name="Mallory")
    # when
    with pytest.raises(InvalidInput) as refused:
        services.display_name_set(user=newcomer, name="\u0430LICE")
    # then
    assert refused.value.code == "display_name_taken"
    newcomer.refresh_from_db()
    assert newcomer.display_name == "Mallory"


@pytest.mark.django_db
def test_signup_refuses_a_staff_name_with_the_reason(client: Client) -> None:
    """The sign-up form shows why a name was refused and keeps no account."""
    # when
    response = client.post(
        reverse("signup"),
        {
            "username": "sneaky",
            "display_name": "Moder\u0430tor",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    # then
    assert response.status_code == 400
    assert "reads like a member of staff" in response.content.decode()
    assert not User.objects.filter(username="sneaky").exists()


@pytest.mark.django_db
def test_staff_show_a_badge_beside_their_name(
    reader_client: Client, article: object
) -> None:
    """A moderator's comment carries a Moderator badge that readers cannot get."""
    from tests.factories import make_comment

    # given
    moderator = make_user(username="mod", display_name="Sam", is_staff=True)
    make_comment(article=article, author=moderator, body="Please keep it civil.")
    # when
    page = reader_client.get(article.get_absolute_url()).content.decode()  # type: ignore[attr-defined]
    # then
    assert 'Sam</strong> <span class="badge staff"' in page
    assert ">Moderator</span>" in page


def test_site_name_setting_is_reserved(settings: object) -> None:
    """The newsroom's own name (PARLEY_SITE_NAME) reads as staff."""
    settings.PARLEY_SITE_NAME = "Daily Bugle"  # type: ignore[attr-defined]
    assert reads_as_staff("The Daily Bugle")
    assert not reads_as_staff("Daily reader")
