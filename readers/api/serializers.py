from rest_framework import serializers

from readers.forms import AccountDeleteForm
from readers.models import NotificationKind, ProblemReport


class ProblemReportInputSerializer(serializers.Serializer[None]):
    kind = serializers.ChoiceField(
        choices=ProblemReport.Kind.choices,
        error_messages={
            "required": 'Say what went wrong in "kind".',
            "invalid_choice": '"{input}" is not a known problem; "kind" must be one of '
            + ", ".join(ProblemReport.Kind.values)
            + ".",
        },
    )
    description = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        error_messages={
            "required": 'Describe the problem in "description".',
            "null": 'Describe the problem in "description".',
            "invalid": "The description must be text.",
        },
    )
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Please give a valid email address."},
    )
    story = serializers.SlugField(
        required=False,
        allow_blank=True,
        error_messages={"invalid": '"story" must be the slug of a story.'},
    )
    error_reference = serializers.RegexField(
        r"^[0-9a-f]{8}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": '"error_reference" must be 8 hexadecimal digits.'},
    )
    website = serializers.CharField(
        required=False, allow_blank=True, help_text="Leave empty."
    )


class ProblemReportOutputSerializer(serializers.Serializer[None]):
    received = serializers.BooleanField()
    id = serializers.IntegerField(allow_null=True)


class MyCommentOutputSerializer(serializers.Serializer[None]):
    id = serializers.IntegerField()
    story = serializers.CharField()
    body = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    rejection_reason = serializers.CharField(allow_blank=True)
    appeal_status = serializers.CharField(allow_null=True)
    can_appeal = serializers.BooleanField()
    url = serializers.CharField()


class AppealInputSerializer(serializers.Serializer[None]):
    note = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        error_messages={
            "required": 'Explain your appeal in "note".',
            "null": 'Explain your appeal in "note".',
            "invalid": "The note must be text.",
        },
    )


class AppealOutputSerializer(serializers.Serializer[None]):
    comment_id = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class NotificationOutputSerializer(serializers.Serializer[None]):
    kind = serializers.CharField()
    message = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()


class NotificationSettingsSerializer(serializers.Serializer[None]):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            f"{kind}_{channel}": serializers.BooleanField(
                required=False,
                error_messages={"invalid": "Each setting must be true or false."},
            )
            for kind in NotificationKind.values
            for channel in ("site", "email")
        }


class AccountDeleteInputSerializer(serializers.Serializer[None]):
    comments = serializers.ChoiceField(
        choices=[AccountDeleteForm.KEEP, AccountDeleteForm.WITHDRAW],
        error_messages={
            "required": 'Choose what should happen to your comments: "comments" must '
            'be "keep" or "withdraw".',
            "null": 'Choose what should happen to your comments: "comments" must be '
            '"keep" or "withdraw".',
            "invalid_choice": '"{input}" is not an option: "comments" must be "keep" '
            'or "withdraw".',
        },
    )
    # Checked by the service, which words the refusal of a wrong or empty password.
    password = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        error_messages={"invalid": "The password must be text."},
    )


class AccountDeleteOutputSerializer(serializers.Serializer[None]):
    deleted = serializers.BooleanField()
    comments = serializers.CharField()
