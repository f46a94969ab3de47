from django.urls import path, re_path

from perspective import views

app_name = "perspective"

urlpatterns = [
    path("comments:analyze", views.analyze, name="analyze"),
    path("comments:suggestscore", views.suggestscore, name="suggestscore"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
