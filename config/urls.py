from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from moderation import views as ops

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", ops.healthz, name="healthz"),
    path("metrics", ops.metrics, name="metrics"),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("articles.api.urls")),
    path("api/v1/", include("readers.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("readers.urls")),
    path("", include("articles.urls")),
]

handler400 = "readers.views.bad_request"
handler500 = "readers.views.server_error"
