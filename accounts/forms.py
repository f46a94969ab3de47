from django import forms
from django.contrib.auth.forms import UserCreationForm

from core.errors import ServiceError

from .models import User
from .names import name_key
from .services import display_name_clean

DISPLAY_NAME_HELP = (
    "Shown beside your comments. Your email address is never shown. Names that "
    "read like staff, or like another reader's name, are not available."
)


class SignupForm(UserCreationForm[User]):
    display_name = forms.CharField(
        label="Display name", max_length=50, help_text=DISPLAY_NAME_HELP
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="Optional; used only to reach you about your account, for example "
        "to reset a forgotten password.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "email")

    def clean_display_name(self) -> str:
        try:
            return display_name_clean(name=self.cleaned_data["display_name"])
        except ServiceError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.display_name_key = name_key(user.display_name)
        if commit:
            user.save()
        return user


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        label="Display name", max_length=50, help_text=DISPLAY_NAME_HELP
    )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label="New email address",
        help_text="We send a link to this address; the change happens when you "
        "follow it.",
    )
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
        help_text="To make sure it is you.",
    )
