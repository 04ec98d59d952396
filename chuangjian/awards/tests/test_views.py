"""The pages of a round walked by its roles, the public 公示 page with objections, and a
certificate whose QR code leads to its check page."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import segno
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from chuangjian.awards import actions, certificate
from chuangjian.awards.models import Nomination, NominationState, Objection, Round, Stage, Title
from chuangjian.awards.tests.conftest import Setup
from chuangjian.org.scope import Scope

DAY = dt.timedelta(days=1)


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _activity(w: Any) -> Any:
    from chuangjian.evidence import actions as evidence_actions
    from chuangjian.evidence.builtin_types import ensure_builtin_types
    from chuangjian.evidence.models import ActivityType

    ensure_builtin_types()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 60)).save(buffer, "JPEG")
    return evidence_actions.create_activity(
        actor=w.community_worker, scope=Scope.for_user(w.community_worker), unit=w.community,
        type=ActivityType.objects.get(code="culture_sports"), title="健康家庭广场舞",
        date=timezone.localdate(), place="幸福里广场", organiser="幸福里文体队",
        participants_count=30,
        uploads=[SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")])


def _back(round_: Round, **times: dt.datetime) -> None:
    Round.objects.filter(pk=round_.pk).update(**times)
    round_.refresh_from_db()


def test_a_round_walked_by_the_community_the_street_and_a_voter(setup: Setup) -> None:
    w, r = setup.world, setup.round
    _back(r, nominate_until=timezone.now() + DAY)
    community, street, voter = _client(w.community_worker), _client(w.street_leader), _client(w.readonly)
    page = community.get(reverse("awards:round", args=[r.pk])).content.decode()
    assert "推荐家庭" in page and setup.families[0].address in page
    # A nominee that is not eligible: the reason, nothing written.
    bad = community.post(reverse("awards:nominate", args=[r.pk]), {
        "unit": w.community.pk, "nominee": "", "name": "王家", "reasons": "事迹"})
    assert bad.status_code == 400 and "请选择推荐对象" in bad.content.decode()
    activity = _activity(w)
    for f in setup.families[:2]:
        ok = community.post(reverse("awards:nominate", args=[r.pk]), {
            "unit": w.community.pk, "nominee": f"household:{f.pk}", "name": f"{f.address}家庭",
            "reasons": "家庭成员坚持锻炼，参加公益劳动", "activities": [activity.pk]})
        assert ok.status_code == 302
    first, second = Nomination.objects.order_by("pk")
    assert list(first.activities.all()) == [activity]
    act = reverse("awards:round_action", args=[r.pk, "review"])
    refused = street.post(act, {"nomination": first.pk, "accept": "0", "reason": ""})
    assert refused.status_code == 400 and "请填写不通过的理由" in refused.content.decode()
    assert street.post(act, {"nomination": first.pk, "accept": "1", "score": "90"}).status_code == 302
    assert street.post(act, {"nomination": second.pk, "accept": "1", "score": "60"}).status_code == 302
    # The community cannot review.
    assert community.post(act, {"nomination": first.pk, "accept": "1", "score": "1"}).status_code == 403
    started = street.post(reverse("awards:round_action", args=[r.pk, "voting"]),
                          {"voter": [w.readonly.pk], f"weight_{w.readonly.pk}": "1"})
    assert started.status_code == 302
    ballot = voter.get(reverse("awards:ballot", args=[r.pk])).content.decode()
    assert first.name in ballot and "赞成" in ballot
    assert voter.post(reverse("awards:ballot", args=[r.pk]),
                      {"nomination": first.pk, "approve": "1"}).status_code == 302
    again = voter.post(reverse("awards:ballot", args=[r.pk]), {"nomination": first.pk, "approve": "0"})
    assert again.status_code == 400 and "只能投一票" in again.content.decode()
    # Tallies stay hidden while the vote is open.
    assert "得票率" not in street.get(reverse("awards:round", args=[r.pk])).content.decode()
    assert community.get(reverse("awards:ballot", args=[r.pk])).status_code == 404
    _back(r, vote_until=timezone.now() - dt.timedelta(minutes=1))
    assert street.post(reverse("awards:round_action", args=[r.pk, "evaluate"])).status_code == 302
    assert street.post(reverse("awards:round_action", args=[r.pk, "publicise"])).status_code == 302
    r.refresh_from_db()
    assert r.stage == Stage.PUBLICISING and "得票率" in street.get(
        reverse("awards:round", args=[r.pk])).content.decode()
    # The public page, without login, takes an objection; the street sees it masked.
    public = Client()
    url = reverse("gongshi:round", args=[r.public_code])
    assert first.name in public.get(url).content.decode()
    sent = public.post(url, {"nomination": first.pk, "text": "该户有违规饲养家禽的情况",
                             "name": "刘群众", "phone": "13812345678"})
    assert sent.status_code == 302
    missing = public.post(url, {"nomination": first.pk, "text": "该户有违规饲养家禽的情况",
                                "name": "刘群众", "phone": "138"})
    assert missing.status_code == 400 and "联系电话" in missing.content.decode()
    assert Objection.objects.count() == 1
    seen = street.get(reverse("awards:round", args=[r.pk])).content.decode()
    assert "138****5678" in seen and "13812345678" not in seen and "刘群众" not in seen
    _back(r, publicity_until=timezone.now() - dt.timedelta(minutes=1))
    name_url = reverse("awards:round_action", args=[r.pk, "name"])
    blocked = street.post(name_url, {"nomination": [first.pk, second.pk]})
    assert blocked.status_code == 400 and "异议未答复" in blocked.content.decode()
    assert not Title.objects.exists()
    objection = Objection.objects.get()
    assert street.post(reverse("awards:round_action", args=[r.pk, "answer"]), {
        "objection": objection.pk, "upheld": "0", "answer": "经核实已整改，异议不成立"}).status_code == 302
    assert street.post(name_url, {"nomination": [first.pk, second.pk]}).status_code == 302
    assert Title.objects.count() == 2
    assert set(Nomination.objects.values_list("state", flat=True)) == {NominationState.NAMED}


def test_a_certificate_is_a4_landscape_and_its_qr_code_leads_to_the_check_page(setup: Setup) -> None:
    w = setup.world
    title = actions.record_title(scope=Scope.for_user(w.district_admin), actor=w.district_admin,
                                 scheme_code="jiankang_jiating", level="city", year=2026,
                                 recorder=w.district, holder=setup.families[0], name="王建国家庭",
                                 document="市爱卫会文件", named_on=dt.date(2026, 11, 20))
    check = "http://testserver" + reverse("gongshi:check", args=[title.code])
    uri = certificate.qr_data_uri(check)
    svg = base64.b64decode(uri.split(",", 1)[1])
    expected = io.BytesIO()
    segno.make(check, error="m").save(expected, kind="svg", xmldecl=False, scale=4, border=1)
    assert svg == expected.getvalue() and svg.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    response = _client(w.district_admin).get(reverse("awards:certificate", args=[title.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "c.pdf"
        pdf.write_bytes(response.content)
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,  # noqa: S603, S607
                              check=True).stdout
    assert "841.89 x 595.27" in info and "(A4)" in info and re.search(r"Pages:\s+1\n", info)
    assert "王建国家庭" in text and title.code in text and "荣 誉 证 书" in text and "2026年11月20日" in text
    page = Client().get(check.removeprefix("http://testserver")).content.decode()
    assert "王建国家庭" in page and "有效" in page
    wrong = Client().get(reverse("gongshi:check", args=["NOPE1234"]))
    assert wrong.status_code == 404 and "没有找到编号为「NOPE1234」的证书" in wrong.content.decode()


@pytest.mark.parametrize("path", ["gongshi:lookup"])
def test_the_public_pages_are_rate_limited(path: str, settings: Any, db: None) -> None:
    settings.RATELIMIT_ENABLE = True
    client = Client(REMOTE_ADDR="10.9.8.7")
    codes = [client.get(reverse(path)).status_code for _ in range(61)]
    assert codes[:60] == [200] * 60 and codes[60] == 429


def test_the_pages_read_in_english_too(setup: Setup) -> None:
    w = setup.world
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(w.street_leader)
    page = client.get(reverse("awards:round", args=[setup.round.pk])).content.decode()
    assert "Nominations close" in page and "Quota 10" in page
    public = Client()
    public.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    check = public.get(reverse("gongshi:lookup")).content.decode()
    assert "Certificate check" in check and "Scan the QR code on the certificate" in check


def test_the_district_records_a_city_title_from_its_document(setup: Setup) -> None:
    w = setup.world
    client = _client(w.district_admin)
    url = reverse("awards:titles")
    assert "登记上级命名的称号" in client.get(url).content.decode()
    post = {"scheme": "jiankang_danwei", "level": "city", "year": "2026",
            "holder": w.community.pk, "document": "", "named_on": "2026-11-20"}
    refused = client.post(url, post)
    assert refused.status_code == 400 and not Title.objects.exists()
    done = client.post(url, {**post, "document": "市爱卫会《关于表彰的决定》"})
    assert done.status_code == 302
    title = Title.objects.get()
    assert (title.name, title.level, title.organiser) == (w.community.name, "city", w.district)
    twice = client.post(url, {**post, "document": "市爱卫会《关于表彰的决定》"})
    assert twice.status_code == 400 and "这项称号已登记" in twice.content.decode()
    # A community worker may not record titles.
    assert _client(w.community_worker).post(url, post).status_code == 403


def test_objections_from_one_client_are_rate_limited(setup: Setup, settings: Any) -> None:
    settings.RATELIMIT_ENABLE = True
    Round.objects.filter(pk=setup.round.pk).update(stage=Stage.PUBLICISING,
                                                   publicity_until=timezone.now() + DAY)
    client = Client(REMOTE_ADDR="10.9.8.6")
    url = reverse("gongshi:round", args=[setup.round.public_code])
    codes = [client.post(url, {"nomination": "0", "text": "", "name": "", "phone": ""}).status_code
             for _ in range(6)]
    assert codes == [400] * 5 + [429]
    assert not Objection.objects.exists()
