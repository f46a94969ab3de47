"""HTML forms: they collect input; the services validate it and word refusals."""

from django import forms

from .models import NotificationKind, ProblemReport

HONEYPOT_FIELD = "website"


class ProblemReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What went wrong?",
        choices=ProblemReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose what went wrong.",
            "invalid_choice": "Please choose one of the listed problems.",
        },
    )
    description = forms.CharField(
        label="Tell us more",
        widget=forms.Textarea(attrs={"rows": 5, "data-maxlength": 5000}),
        help_text="What did you do, and what happened? Please don't include passwords.",
        required=False,
        strip=False,
    )
    email = forms.EmailField(
        label="Your email address",
        required=False,
        help_text="So we can reply. Not needed when you are logged in.",
        error_messages={"invalid": "Please enter a valid email address."},
    )
    article = forms.SlugField(required=False, widget=forms.HiddenInput)
    # Hidden from people by CSS and labelled for screen readers as "leave empty";
    # bots fill every field.
    website = forms.CharField(
        label="Leave this field empty", required=False, max_length=500
    )


class AppealForm(forms.Form):
    note = forms.CharField(
        label="Why should your comment be published?",
        widget=forms.Textarea(attrs={"rows": 4, "data-maxlength": 2000}),
        required=False,
        strip=False,
    )


class NotificationPreferenceForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind, label in NotificationKind.choices:
            self.fields[f"{kind}_site"] = forms.BooleanField(
                label=f"{label}: on the site", required=False
            )
            self.fields[f"{kind}_email"] = forms.BooleanField(
                label=f"{label}: by email", required=False
            )


class AccountDeleteForm(forms.Form):
    KEEP = "keep"
    WITHDRAW = "withdraw"
    comments = forms.ChoiceField(
        label="What should happen to your comments?",
        choices=[
            (KEEP, 'Keep them, shown as from "deleted reader"'),
            (WITHDRAW, "Withdraw them (replies from others stay in place)"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose what should happen to your comments.",
            "invalid_choice": "Please choose one of the two options for your comments.",
        },
    )
    password = forms.CharField(
        label="Your password, to confirm",
        widget=forms.PasswordInput,
        required=False,
        strip=False,
    )
