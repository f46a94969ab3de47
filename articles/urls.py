from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.article_list_page, name="list"),
    path("stories/<slug:slug>/", views.article_detail, name="detail"),
    path("stories/<slug:slug>/comments/", views.comment_post, name="comment_post"),
    path("comments/<int:pk>/", views.comment_detail, name="comment"),
    path("comments/<int:pk>/edit/", views.comment_edit_page, name="comment_edit"),
    path(
        "comments/<int:pk>/withdraw/",
        views.comment_withdraw_page,
        name="comment_withdraw",
    ),
]
