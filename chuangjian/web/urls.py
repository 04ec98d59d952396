from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

app_name = "web"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("", auth_views.LoginView.as_view(), name="home"),
    path("", include("chuangjian.web.urls_io")),
]
