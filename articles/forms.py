from django import forms


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 4, "data-maxlength": 5000}),
        # Validation of the text itself is the service's, so the same rules and
        # messages hold for the API; strip=False keeps what the reader typed.
        strip=False,
        required=False,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Django refuses NUL before the service sees it, with a vaguer message.
        self.fields["body"].validators = []
