from django.urls import path

from . import views

app_name = "readers"

urlpatterns = [
    path("help/report/", views.problem_report, name="report"),
    path("help/report/thanks/", views.problem_report_thanks, name="report_thanks"),
    path("me/comments/", views.my_comments_page, name="my_comments"),
    path("me/comments/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("me/notifications/", views.notifications, name="notifications"),
    path(
        "me/notifications/settings/",
        views.notification_settings,
        name="notification_settings",
    ),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/download/", views.my_data_download, name="my_data_download"),
    path("me/delete/", views.account_delete_page, name="account_delete"),
]
