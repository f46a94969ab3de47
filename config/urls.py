from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from articles.views import site_icon
from moderation import views as ops
from moderation.api.views import comment_report_form

urlpatterns = [
    # The thread API and readers' pages first: Django tries patterns in order, and
    # a cached story page costs little more than finding its pattern (the API's
    # prefix first: every pattern under "" is tried for any path). No other
    # pattern matches the same paths (tests/config/test_urls.py).
    path("api/v1/", include("articles.api.urls")),
    path("", include("articles.urls")),
    path("admin/", admin.site.urls),
    path("healthz", ops.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's).
    path("favicon.ico", site_icon, name="favicon"),
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
    path("api/v1/", include("readers.api.urls")),
    path("api/v1/", include("sites.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("", include("sites.urls")),
    path("", include("readers.urls")),
]

handler400 = "config.error_views.bad_request"
handler404 = "config.error_views.page_not_found"
handler500 = "config.error_views.server_error"
