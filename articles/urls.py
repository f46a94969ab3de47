from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("stories/<slug:slug>/", views.article_detail, name="detail"),
    path("stories/<slug:slug>/comments/", views.comment_post, name="comment_post"),
    path("comments/<int:pk>/", views.comment_detail, name="comment"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path(
        "comments/<int:pk>/withdraw/", views.comment_withdraw, name="comment_withdraw"
    ),
]
