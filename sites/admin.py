"""Sites in the admin: origins and hosts, SSO secrets and API keys.

Secrets and keys are shown once, in the message after they are made, and never on
a form or a list afterwards.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from . import services
from .models import ModeratorSites, Site, SiteApiKey


class ApiKeyInline(admin.TabularInline[SiteApiKey, Site]):
    model = SiteApiKey
    extra = 0
    can_delete = False
    fields = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # keys are made with the "Create an API key" action


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ("name", "slug", "sso_status", "allow_parley_accounts")
    prepopulated_fields = {"slug": ("name",)}
    fields = (
        "name",
        "slug",
        "allowed_origins",
        "story_hosts",
        "allow_parley_accounts",
        "create_stories_on_embed",
        "sso_status",
    )
    readonly_fields = ("sso_status",)
    inlines = [ApiKeyInline]
    actions = ["create_api_key", "rotate_sso_secret", "retire_previous_secret"]

    @admin.display(description="Single sign-on")
    def sso_status(self, site: Site) -> str:
        count = len(site.sso_secrets)
        if not count:
            return "No secret yet: use the action 'Make a new SSO secret'."
        return "One secret" if count == 1 else "Two secrets (rotation in progress)"

    def _shown_once(
        self, request: HttpRequest, title: str, what: str, shown: list[object]
    ) -> TemplateResponse:
        # A page of its own, not a message: messages may travel in a cookie.
        response = TemplateResponse(
            request,
            "admin/sites/shown_once.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "what": what,
                "hashed": what == "the keys",
                "shown": shown,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Create an API key (shown once)")
    def create_api_key(
        self, request: HttpRequest, queryset: QuerySet[Site]
    ) -> TemplateResponse:
        shown: list[object] = []
        for site in queryset:
            _, raw = services.site_api_key_create(site=site, name="CMS")
            shown.append((site, raw))
        return self._shown_once(request, "New API keys", "the keys", shown)

    @admin.action(description="Make a new SSO secret (the current one stays valid)")
    def rotate_sso_secret(
        self, request: HttpRequest, queryset: QuerySet[Site]
    ) -> TemplateResponse:
        shown: list[object] = []
        for site in queryset:
            shown.append((site, services.site_sso_secret_rotate(site=site)))
        return self._shown_once(request, "New SSO secrets", "the secrets", shown)

    @admin.action(description="Retire the previous SSO secret")
    def retire_previous_secret(
        self, request: HttpRequest, queryset: QuerySet[Site]
    ) -> None:
        for site in queryset:
            services.site_sso_secret_retire_previous(site=site)
        self.message_user(request, "Previous secrets retired.")


@admin.register(SiteApiKey)
class SiteApiKeyAdmin(admin.ModelAdmin[SiteApiKey]):
    list_display = (
        "name",
        "site",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("site",)
    list_select_related = ("site",)
    fields = ("site", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[SiteApiKey]) -> None:
        for key in queryset:
            services.site_api_key_revoke(key=key)
        self.message_user(request, f"{queryset.count()} key(s) revoked.")


@admin.register(ModeratorSites)
class ModeratorSitesAdmin(admin.ModelAdmin[ModeratorSites]):
    list_display = ("user",)
    filter_horizontal = ("sites",)
    autocomplete_fields = ("user",)
