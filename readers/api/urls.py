from django.urls import path

from . import views

urlpatterns = [
    path("help/reports/", views.ProblemReportApi.as_view(), name="api-problem-report"),
    path("me/comments/", views.MyCommentsApi.as_view(), name="api-my-comments"),
    path(
        "me/comments/<int:pk>/appeal/",
        views.AppealApi.as_view(),
        name="api-appeal",
    ),
    path(
        "me/notifications/",
        views.NotificationsApi.as_view(),
        name="api-notifications",
    ),
    path(
        "me/notification-settings/",
        views.NotificationSettingsApi.as_view(),
        name="api-notification-settings",
    ),
    path("me/data/", views.MyDataApi.as_view(), name="api-my-data"),
    path("me/delete/", views.AccountDeleteApi.as_view(), name="api-account-delete"),
]
