from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    """A reader or a member of staff.

    Readers are known on the site by `display_name` only; the email address is
    private and never rendered on a public page or in the public API.
    """

    display_name = models.CharField(
        max_length=50,
        help_text="Shown beside comments instead of the username or email address.",
    )
    # The display name folded for comparison (accounts.names.name_key): two readers
    # whose names read the same cannot both have them.
    display_name_key = models.CharField(max_length=150, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["display_name_key"],
                condition=~Q(display_name_key=""),
                name="accounts_user_display_name_key_unique",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def staff_badge(self) -> str:
        """The badge shown beside a staff member's name, empty for readers."""
        if self.is_superuser:
            return "Staff"
        return "Moderator" if self.is_staff else ""
