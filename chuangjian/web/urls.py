from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from chuangjian.web.views import (
    account,
    audit,
    auth,
    classes,
    home,
    people,
    search,
    security,
    tree,
    units,
)

app_name = "web"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/2fa/enrol/", account.otp_enrol, name="otp_enrol"),
    path("account/2fa/verify/", account.otp_verify, name="otp_verify"),
    path("", home.home, name="home"),
    path("tree/", tree.tree, name="tree"),
    path("tree/<str:code>/children/", tree.tree_children, name="tree_children"),
    path("units/<str:code>/", units.unit_detail, name="unit"),
    path("units/<str:code>/new/", units.unit_create, name="unit_create"),
    path("units/<str:code>/edit/", units.unit_edit, name="unit_edit"),
    path("units/<str:code>/move/", tree.unit_move, name="unit_move"),
    path("units/<str:code>/close/", units.unit_close, name="unit_close"),
    path("units/<str:code>/split/", units.unit_split, name="unit_split"),
    path("units/<str:code>/classes/", classes.unit_classes, name="unit_classes"),
    path("people/", people.people, name="people"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person, name="person"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/phone/", people.person_phone, name="person_phone"),
    path("people/<int:pk>/active/", people.person_active, name="person_active"),
    path("people/<int:pk>/password/", people.person_password, name="person_password"),
    path("people/<int:pk>/memberships/add/", people.membership_add, name="membership_add"),
    path("people/<int:pk>/memberships/<int:membership_id>/remove/", people.membership_remove,
         name="membership_remove"),
    path("audit/", audit.audit, name="audit"),
    path("security/", security.security, name="security"),
    path("security/<int:pk>/unlock/", security.security_unlock, name="security_unlock"),
    path("security/<int:pk>/otp-reset/", security.security_otp_reset, name="security_otp_reset"),
    path("search/", search.search, name="search"),
    path("", include("chuangjian.web.urls_io")),
]
