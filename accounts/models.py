from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A reader or a member of staff.

    Readers are known on the site by `display_name` only; the email address is
    private and never rendered on a public page or in the public API.
    """

    display_name = models.CharField(
        max_length=50,
        help_text="Shown beside comments instead of the username or email address.",
    )

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def public_name(self) -> str:
        return self.display_name or self.username
