"""Recording findings: photos checked, the same form twice kept once, 明察暗访 kept secret."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chuangjian.inspections import selectors
from chuangjian.inspections.actions import rounds as round_actions
from chuangjian.inspections.actions.findings import create_finding
from chuangjian.inspections.models import Finding, RoundKind, State
from chuangjian.inspections.taxonomy import default_standard
from chuangjian.inspections.tests.conftest import category, photo
from chuangjian.org.scope import Scope

pytestmark = pytest.mark.django_db


def _record(world, noon, **kw):
    defaults = {"actor": world.inspector, "scope": Scope.for_user(world.inspector),
                "unit": world.community, "description": "路面破损", "severity": "一般",
                "category": category("road_surface"), "photos": [photo()], "now": noon}
    return create_finding(**{**defaults, **kw})


def test_the_same_finding_submitted_twice_is_kept_once(world, standards, noon):
    first, created = _record(world, noon, idempotency_key="form-key-1")
    again, created_again = _record(world, noon, idempotency_key="form-key-1",
                                   photos=[photo(color="blue")])
    assert created and not created_again
    assert again.pk == first.pk
    assert Finding.objects.count() == 1
    assert first.photo_links.count() == 1


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_kept(world, standards, noon):
    fake = SimpleUploadedFile("现场.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        _record(world, noon, photos=[photo(), fake])
    message = caught.value.message_dict["photos"][0]
    assert "第2张照片「现场.jpg」" in message
    assert not Finding.objects.exists()


def test_an_image_over_the_size_limit_is_refused(world, standards, noon, settings):
    settings.FILES_MAX_UPLOAD_BYTES = 2000
    big = photo(size=(800, 600), color="orange")
    with pytest.raises(ValidationError) as caught:
        _record(world, noon, photos=[big])
    assert "超过" in caught.value.message_dict["photos"][0]
    assert not Finding.objects.exists()


def test_photos_lose_their_exif_but_keep_their_orientation(world, standards, noon):
    finding, _ = _record(world, noon, photos=[photo(size=(80, 40), exif=True)])
    stored = finding.photo_links.get().file
    with stored.display.open("rb") as handle:
        shown = Image.open(handle)
        shown.load()
    assert not shown.getexif()
    assert shown.size == (40, 80)  # rotated upright from the orientation tag


def test_a_finding_needs_a_photo_a_description_and_a_category(world, standards, noon):
    with pytest.raises(ValidationError) as caught:
        _record(world, noon, photos=[], description=" ", category=None)
    errors = caught.value.message_dict
    assert "description" in errors and "category" in errors
    with pytest.raises(ValidationError, match="至少上传一张照片"):
        _record(world, noon, photos=[])


def test_an_outsider_cannot_record_a_finding_in_another_street(world, standards, noon):
    with pytest.raises(PermissionDenied):
        _record(world, noon, actor=world.outsider, scope=Scope.for_user(world.outsider))
    with pytest.raises(PermissionDenied):
        _record(world, noon, actor=world.community_worker,
                scope=Scope.for_user(world.community_worker))


def test_covert_results_stay_hidden_from_the_inspected_until_published(world, standards, noon):
    inspector = Scope.for_user(world.inspector)
    round_ = round_actions.create_round(
        actor=world.inspector, scope=inspector, unit=world.street, scope_unit=world.street,
        kind=RoundKind.COVERT, title="第1轮明察暗访", starts_on=noon.date(), ends_on=noon.date(),
        standard=default_standard())
    finding, _ = _record(world, noon, round=round_, dispatch=True)
    assert finding.hidden and finding.order.state == State.PENDING
    worker = Scope.for_user(world.community_worker)
    assert not selectors.findings(scope=worker).exists()
    assert not selectors.rounds(scope=worker).exists()
    assert not selectors.orders(scope=Scope.for_user(world.outsider)).exists()
    assert selectors.findings(scope=inspector).filter(pk=finding.pk).exists()
    assert selectors.findings(scope=Scope.for_user(world.street_leader)).filter(pk=finding.pk).exists()
    dispatched = round_actions.publish_round(actor=world.inspector, scope=inspector,
                                             round_=round_, now=noon + dt.timedelta(days=1))
    assert dispatched == 1
    assert selectors.findings(scope=worker).filter(pk=finding.pk).exists()
    finding.refresh_from_db()
    assert finding.order.state == State.DISPATCHED
    assert not selectors.findings(scope=Scope.for_user(world.outsider)).exists()


def test_points_are_drawn_by_type_with_minimum_counts_and_the_same_seed_draws_the_same(world,
                                                                                        standards):
    from chuangjian.inspections.actions.points import save_point

    system = Scope.system()
    for i in range(6):
        save_point(actor=None, scope=system, unit=world.community, name=f"小区{i}",
                   type="compound", address=f"幸福路{i}号")
    for i in range(2):
        save_point(actor=None, scope=system, unit=world.community2, name=f"市场{i}",
                   type="market", address=f"南门路{i}号")
    inspector = Scope.for_user(world.inspector)

    def drawn(seed: int, title: str) -> list[int]:
        r = round_actions.create_round(
            actor=world.inspector, scope=inspector, unit=world.street, scope_unit=world.street,
            kind=RoundKind.WEEKLY, title=title, starts_on=dt.date(2026, 3, 16),
            ends_on=dt.date(2026, 3, 16), quotas={"compound": 3, "market": 5}, seed=seed)
        assert r.sampling["drawn"] == {"compound": 3, "market": 2}
        assert r.sampling["short"] == {"market": 3}
        return sorted(r.points.values_list("point_id", flat=True))

    assert drawn(42, "第1周") == drawn(42, "第2周")
    assert len({tuple(drawn(s, f"种子{s}")) for s in range(1, 8)}) > 1
