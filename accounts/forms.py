from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import User


class SignupForm(UserCreationForm[User]):
    display_name = forms.CharField(
        label="Display name",
        max_length=50,
        help_text="Shown beside your comments. Your email address is never shown.",
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="Optional; used only to reach you about your account.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "email")

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError("Please choose a display name.")
        if any(ord(ch) < 32 for ch in name):
            raise forms.ValidationError("The display name contains invalid characters.")
        return name
