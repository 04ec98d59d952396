from __future__ import annotations

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("chuangjian.api.urls")),
    path("standards/", include("chuangjian.standards.urls")),
    path("reports/", include("chuangjian.reporting.urls")),
    path("assessment/", include("chuangjian.assessment.urls")),
    path("dashboards/", include("chuangjian.assessment.dashboards.urls")),
    path("inspections/", include("chuangjian.inspections.urls")),
    path("evidence/", include("chuangjian.evidence.urls")),
    path("registers/", include("chuangjian.registers.urls")),
    path("cases/", include("chuangjian.cases.urls")),
    path("files/", include("chuangjian.files.urls")),
    path("tasks/", include("chuangjian.tasks.urls")),
    path("notifications/", include("chuangjian.notify.urls")),
    # 随手拍: the public page residents open from a poster's QR code, no login.
    path("suishoupai/", include("chuangjian.inspections.public_urls")),
    path("surveys/", include("chuangjian.surveys.urls")),
    # 问卷: the public answer page respondents open from a link or QR code, no login.
    path("wenjuan/", include("chuangjian.surveys.public_urls")),
    path("awards/", include("chuangjian.awards.urls")),
    # 评选公示 and 证书查验: public pages opened from a notice or a certificate's QR code.
    path("gongshi/", include("chuangjian.awards.public_urls")),
    path("jobs/", include("chuangjian.jobs.urls")),
    path("residents/", include("chuangjian.registers.urls_residents")),
    path("", include("chuangjian.web.urls")),
]

if settings.DEBUG:  # pragma: no cover - development convenience only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
