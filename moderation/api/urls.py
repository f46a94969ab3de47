from django.urls import path

from . import views

urlpatterns = [
    path(
        "comments/<int:pk>/report/",
        views.CommentReportApi.as_view(),
        name="api-comment-report",
    ),
]
