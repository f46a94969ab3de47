from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest

from lifecycle.events import author_renamed_announce

from .models import User
from .names import name_key


class StaffUserChangeForm(UserChangeForm[User]):
    """Administrators may give any name (staff are shown with a badge), but not one
    that reads the same as another account's."""

    def clean_display_name(self) -> str:
        name: str = self.cleaned_data["display_name"]
        key = name_key(name)
        if (
            key
            and User.objects.filter(display_name_key=key)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(
                "Another account has that display name, or one that reads the same."
            )
        return name


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = StaffUserChangeForm
    list_display = ("username", "display_name", "email", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Public profile", {"fields": ("display_name",)}),
    )

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.ModelForm[User], change: bool
    ) -> None:
        obj.display_name_key = name_key(obj.display_name)
        super().save_model(request, obj, form, change)
        if change and {"display_name", "username", "is_staff", "is_superuser"} & set(
            form.changed_data
        ):
            # The name and staff badge shown with their comments changed.
            author_renamed_announce(user_id=obj.pk)
