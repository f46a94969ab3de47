"""The classifier versions: activate one, shadow others, see where they disagree."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from moderation import selectors
from moderation.models import ModelVersion
from moderation.services import registry, thresholds

from .common import can


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "is_active",
        "is_shadow",
        "metrics_column",
        "threshold",
        "activated_at",
        "disagreements_link",
    )
    readonly_fields = (
        "version",
        "path",
        "metrics",
        "threshold",
        "is_active",
        "is_shadow",
        "created_at",
        "activated_at",
    )
    actions = ("activate", "shadow_on", "shadow_off")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_models_permission(self, request: HttpRequest) -> bool:
        return can(request, "manage_models")

    @admin.display(description="Metrics")
    def metrics_column(self, obj: ModelVersion) -> SafeString:
        flat = _flat_metrics(obj.metrics)
        return format_html_join(
            "", "<div><small>{}: {}</small></div>", list(flat.items())[:8]
        )

    @admin.display(description="Shadow vs active")
    def disagreements_link(self, obj: ModelVersion) -> SafeString | str:
        if not obj.is_shadow:
            return "—"
        return format_html(
            '<a href="{}">disagreements</a>',
            reverse("admin:moderation_modelversion_disagreements", args=[obj.pk]),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/disagreements/",
                self.admin_site.admin_view(self.disagreements_view),
                name="moderation_modelversion_disagreements",
            ),
            *super().get_urls(),
        ]

    def disagreements_view(self, request: HttpRequest, pk: int) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        shadow = get_object_or_404(ModelVersion, pk=pk)
        return TemplateResponse(
            request,
            "admin/moderation/disagreements.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Where {shadow.version} and the active model disagree",
                "shadow": shadow,
                "threshold": thresholds.hold_threshold_in_force().value,
                "rows": selectors.shadow_disagreements(shadow=shadow),
            },
        )

    @admin.action(description="Activate (exactly one)", permissions=["models"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        if queryset.count() != 1:
            self.message_user(
                request, "Select exactly one model to activate.", messages.ERROR
            )
            return
        row = registry.model_version_activate(model_version=queryset.get())
        self.message_user(request, f"{row.version} is now the active model.")

    @admin.action(description="Put in shadow mode", permissions=["models"])
    def shadow_on(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for row in queryset.filter(is_active=False):
            registry.model_version_set_shadow(model_version=row, shadow=True)
        self.message_user(request, "Shadow mode on for the inactive models chosen.")

    @admin.action(description="Take out of shadow mode", permissions=["models"])
    def shadow_off(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for row in queryset:
            registry.model_version_set_shadow(model_version=row, shadow=False)
        self.message_user(request, "Shadow mode off for the models chosen.")


def _flat_metrics(metrics: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(metrics, dict):
        for key, value in metrics.items():
            out.update(_flat_metrics(value, f"{prefix}{key}."))
    elif isinstance(metrics, float):
        out[prefix.rstrip(".")] = f"{metrics:.3f}"
    elif isinstance(metrics, int | str):
        out[prefix.rstrip(".")] = str(metrics)
    return out
