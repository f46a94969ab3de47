from django.urls import path

from . import views

app_name = "sites"

urlpatterns = [
    path("embed.js", views.script, {"name": "embed.js"}, name="embed_js"),
    path("count.js", views.script, {"name": "count.js"}, name="count_js"),
    path("embed/v/<str:version>/<str:name>", views.script, name="asset"),
    path("embed/frame/", views.frame, name="frame"),
    path("embed/session/", views.frame_session, name="frame_session"),
    path("embed/account/", views.account_popup, name="account_popup"),
    path("s/<slug:site>/<str:external_id>/", views.story_redirect, name="story"),
]
