"""Exports: a reason first, a supervisor's approval, an AES archive whose password is shown
once, watermarked, logged per case, gone after 7 days."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import pyzipper
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chuangjian.cases import exports
from chuangjian.cases.models import AccessKind, CaseAccess, CaseExport, ExportState
from chuangjian.cases.testing import ID_A, CaseWorld
from chuangjian.org.models import User
from chuangjian.org.scope import Scope

pytestmark = pytest.mark.django_db


def _as(user: User) -> Scope:
    return Scope.for_user(user)


def test_an_export_needs_a_reason_and_a_supervisors_approval(cases: CaseWorld) -> None:
    w = cases.world
    now = timezone.now()
    with pytest.raises(ValidationError, match="事由"):
        exports.request_export(actor=w.caseworker, scope=_as(w.caseworker), unit=w.community,
                               reason=" ")
    with pytest.raises(ValidationError, match="无权"):
        exports.request_export(actor=w.community_worker, scope=_as(w.community_worker),
                               unit=w.community, reason="看看")
    export = exports.request_export(actor=w.caseworker, scope=_as(w.caseworker),
                                    unit=w.community, reason="区禁毒办季度核查")
    with pytest.raises(ValidationError, match="须先经帮教督导批准"):
        exports.make_export(actor=w.caseworker, scope=_as(w.caseworker), export=export, now=now)
    for user in (w.caseworker, w.street_leader, w.district_admin):
        with pytest.raises(ValidationError):
            exports.decide_export(actor=user, scope=_as(user), export=export, approve=True,
                                  now=now)
    assert CaseAccess.objects.filter(kind=AccessKind.EXPORT).count() == 0
    exports.decide_export(actor=cases.supervisor, scope=_as(cases.supervisor), export=export,
                          approve=True, now=now)
    export, password = exports.make_export(actor=w.caseworker, scope=_as(w.caseworker),
                                           export=export, now=now)
    data = exports.export_file(scope=_as(w.caseworker), export=export, now=now)
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        with pytest.raises(RuntimeError):
            archive.read(archive.namelist()[0])  # no password, no content
        archive.setpassword(password.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    assert "导出人：何静" in text and "陈帮教" in text and ID_A not in text
    stored = CaseExport.objects.get(pk=export.pk).archive
    assert stored is not None and password.encode() not in bytes(stored)
    rows = CaseAccess.objects.filter(kind=AccessKind.EXPORT)
    assert rows.count() == 1 and rows.get().reason == "区禁毒办季度核查"
    # Made once; only the exporter downloads it, and only for 7 days.
    with pytest.raises(ValidationError):
        exports.make_export(actor=w.caseworker, scope=_as(w.caseworker), export=export, now=now)
    from django.http import Http404
    with pytest.raises(Http404):
        exports.export_file(scope=_as(cases.supervisor), export=export, now=now)
    later = now + dt.timedelta(days=7, seconds=1)
    with pytest.raises(Http404):
        exports.export_file(scope=_as(w.caseworker), export=export, now=later)
    assert exports.purge_expired(scope=Scope.system(), now=later) == 1
    assert CaseExport.objects.get(pk=export.pk).archive is None


def test_the_export_pages_show_the_password_once(cases: CaseWorld) -> None:
    w = cases.world
    sg = cases.client_for(w.caseworker)
    assert sg.post(reverse("cases:exports"), {"unit": w.community.pk, "reason": ""}
                   ).status_code == 200
    assert not CaseExport.objects.exists()
    sg.post(reverse("cases:exports"), {"unit": w.community.pk, "reason": "季度核查"})
    export = CaseExport.objects.get()
    url = reverse("cases:export", args=[export.pk])
    assert sg.post(url, {"decision": "approve"}).status_code == 302
    assert CaseExport.objects.get().state == ExportState.REQUESTED
    cases.client_for(cases.supervisor).post(url, {"decision": "approve"})
    assert CaseExport.objects.get().state == ExportState.APPROVED
    body = sg.post(url, {"decision": "make"}).content.decode()
    assert "只显示这一次" in body
    assert "只显示这一次" not in sg.get(url).content.decode()
    download = reverse("cases:export_download", args=[export.pk])
    assert sg.get(download)["Content-Type"] == "application/zip"
    for user in (cases.supervisor, cases.leader, w.community_worker, w.outsider,
                 w.district_admin):
        assert cases.client_for(user).get(download).status_code == 404
