from __future__ import annotations

from django.urls import path

from chuangjian.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.index, name="index"),
    path("xinjian/", views.create, name="create"),
    path("wenjuan/<str:code>/", views.questionnaire, name="questionnaire"),
    path("banben/<int:pk>/fabu/", views.publish, name="publish"),
    path("dajuan/<int:pk>/", views.response, name="response"),
    path("lianjie/<int:pk>/qr.svg", views.link_qr, name="link_qr"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/peie/", views.quota, name="quota"),
    path("<str:code>/lianjie/", views.link_new, name="link_new"),
    path("<str:code>/luru/", views.enter, name="enter"),
    path("<str:code>/luru/tijiao/", views.enter_submit, name="enter_submit"),
    path("<str:code>/dajuan/", views.responses, name="responses"),
    path("<str:code>/daochu.xlsx", views.export, name="export"),
    path("<str:code>/baogao.docx", views.report, name="report"),
]
