from django.urls import include, path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenApi.as_view(), name="api-token"),
    path("articles/", views.ArticleListApi.as_view(), name="api-article-list"),
    path(
        "articles/<slug:slug>/",
        views.ArticleDetailApi.as_view(),
        name="api-article-detail",
    ),
    path(
        "articles/<slug:slug>/comments/",
        views.ThreadApi.as_view(),
        name="api-thread",
    ),
    path("comments/<int:pk>/", views.CommentDetailApi.as_view(), name="api-comment"),
    path(
        "comments/<int:pk>/withdraw/",
        views.CommentWithdrawApi.as_view(),
        name="api-comment-withdraw",
    ),
    path("", include("moderation.api.urls")),
]
