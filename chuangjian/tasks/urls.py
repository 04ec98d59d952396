from __future__ import annotations

from django.urls import path

from chuangjian.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.task_new, name="task_new"),
    path("<int:pk>/", views.task_detail, name="task"),
    path("<int:pk>/<slug:action>/", views.task_action, name="task_action"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/group/", views.plan_group, name="plan_group"),
    path("plans/items/<int:pk>/", views.plan_item, name="plan_item"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("decisions/<int:pk>/task/", views.decision_task, name="decision_task"),
]
