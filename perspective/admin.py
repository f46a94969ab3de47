"""Staff manage API keys here (the key is shown once, on creation), and see
each key's daily usage and the scores clients suggested."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from perspective import services
from perspective.models import ApiKey, Feedback, KeyUsage


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = [
        "name",
        "prefix",
        "qps_limit",
        "may_store_text",
        "created_at",
        "revoked_at",
    ]
    list_filter = ["may_store_text", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "created_by", "revoked_at"]
    fields = [
        "name",
        "qps_limit",
        "may_store_text",
        "prefix",
        "created_at",
        "created_by",
        "revoked_at",
    ]
    actions = ["revoke"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiKey | None = None
    ) -> list[str]:
        # A key's name is what its usage and logs are filed under.
        return [*self.readonly_fields, "name"] if obj else list(self.readonly_fields)

    def save_model(
        self, request: HttpRequest, obj: ApiKey, form: Any, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        row, key = services.api_key_create(
            name=obj.name,
            qps_limit=obj.qps_limit,
            may_store_text=obj.may_store_text,
            created_by=request.user,
        )
        obj.pk, obj.key_hash, obj.prefix = row.pk, row.key_hash, row.prefix
        obj._state.adding = False
        request._new_scoring_key = key  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        # A page of its own, not a message: messages may travel in a cookie,
        # and the key must not be stored anywhere but the reader's clipboard.
        response = TemplateResponse(
            request,
            "admin/perspective/shown_once.html",
            {
                **self.admin_site.each_context(request),
                "title": "New API key",
                "row": obj,
                "key": request._new_scoring_key,  # type: ignore[attr-defined]
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for row in queryset:
            services.api_key_revoke(api_key=row)
        self.message_user(request, f"{queryset.count()} key(s) revoked.")


@admin.register(KeyUsage)
class KeyUsageAdmin(admin.ModelAdmin[KeyUsage]):
    list_display = ["day", "key", "analyze", "suggest", "over_quota"]
    list_filter = ["key", "day"]
    list_select_related = ["key"]
    date_hierarchy = "day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin[Feedback]):
    list_display = [
        "created_at",
        "key",
        "attribute",
        "value",
        "label",
        "community_id",
        "client_token",
        "short_text",
    ]
    list_filter = ["attribute", "label", "text_stored", "key"]
    list_select_related = ["key"]
    search_fields = ["client_token", "community_id", "text"]
    date_hierarchy = "created_at"

    @admin.display(description="text")
    def short_text(self, obj: Feedback) -> str:
        if not obj.text_stored:
            return "(not stored)"
        return obj.text[:80] + ("…" if len(obj.text) > 80 else "")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
