from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from moderation import views as ops
from moderation.api.views import comment_report_form

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", ops.healthz, name="healthz"),
    # The readers' (HTML) report form sits beside the comment's own pages.
    path(
        "comments/<int:pk>/report/",
        comment_report_form,
        name="comment-report-form",
    ),
    path("metrics", ops.metrics, name="metrics"),
    # Perspective API clients join "comments:analyze" to a base URL ending in
    # /v1alpha1; only processes with PARLEY_PERSPECTIVE_API answer it.
    path("v1alpha1/", include("perspective.urls")),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("articles.api.urls")),
    path("api/v1/", include("readers.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script.
    path(
        "api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"
    ),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, JSON);
    # answering keeps those requests out of the error log and the report form.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("articles/favicon.svg"), permanent=True),
    ),
    path("", include("readers.urls")),
    path("", include("articles.urls")),
]

handler400 = "readers.views.bad_request"
handler500 = "readers.views.server_error"
