from django.urls import path

from . import views

urlpatterns = [
    path(
        "sites/<slug:site>/stories/<str:external_id>",
        views.StoryApi.as_view(),
        name="api-story",
    ),
    path("counts", views.CountsApi.as_view(), name="api-counts"),
]
