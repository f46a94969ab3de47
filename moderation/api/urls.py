from django.urls import path

from . import actions, views

urlpatterns = [
    path(
        "comments/<int:pk>/report/",
        views.CommentReportApi.as_view(),
        name="api-comment-report",
    ),
]

# One endpoint per moderator action (moderation.services.action_table).
urlpatterns += actions.urlpatterns
