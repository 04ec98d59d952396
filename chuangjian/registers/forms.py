"""The forms of the registers: one per kind, used alike by the web pages, the spreadsheet
import (each row is validated by the same form) and the API.

A form is built for one unit (the community that keeps the row) and the reader's scope;
fields that name a resident take the 公民身份号码 and find the one row of that person
(decision 0020: a person is registered once, whatever registers name them). Rules of a
kind (BP ranges, dates not in the future …) are added to these forms, so the page, the
spreadsheet and the API cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangjian.lib import personal
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.registers.models import (
    BPReading,
    Facility,
    FamilyHonour,
    Household,
    MediationCase,
    Person,
    Placement,
    ServiceRecord,
    Volunteer,
    VolunteerTeam,
)
from chuangjian.web.forms import DateInput, Styled


def not_in_future(value: dt.date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("日期 %(d)s 晚于今天。") % {"d": value.isoformat()},
                              code="future")


class IdNumberField(forms.CharField):
    """A 公民身份号码, normalised and checked against GB 11643 (``lib.personal``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("公民身份号码"))
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "inputmode": "text",
                                  "spellcheck": "false"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return personal.normalise_id_number(value) if value else ""


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("联系电话"))
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "inputmode": "tel"})

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return personal.normalise_phone(value) if value else ""


class RegisterForm(Styled, forms.ModelForm):
    """A form of one register, for rows kept by ``unit``."""

    # Fields naming a resident by ID number: form field -> model field of the Person.
    person_fields: ClassVar[dict[str, str]] = {}
    # Whether the resident may be one kept by another community (a volunteer or a placed
    # worker may live elsewhere: the row links the one registered person), or must be one
    # the reader keeps (a BP reading counts towards the person's own community).
    residents_elsewhere: ClassVar[bool] = False

    def __init__(self, *args: Any, unit: Unit, scope: Scope, **kwargs: Any) -> None:
        self.unit = unit
        self.scope = scope
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput(attrs=field.widget.attrs)

    def resident(self, number: str) -> Person:
        """The registered resident with this number (whichever community keeps them)."""
        person = (Person.objects.select_related("unit")
                  .filter(id_number_hash=personal.id_hash(number)).first())
        if person is None:
            raise ValidationError(
                _("公民身份号码为 %(n)s 的居民尚未登记，请先在实有人口中登记。")
                % {"n": personal.mask_id_number(number)}, code="unregistered")
        if not self.residents_elsewhere and not self.scope.allows(person.unit, Cap.VIEW_PERSONS):
            raise ValidationError(
                _("公民身份号码为 %(n)s 的居民不在您管理的社区登记。")
                % {"n": personal.mask_id_number(number)}, code="elsewhere")
        return person

    def _post_clean(self) -> None:
        for form_field, model_field in self.person_fields.items():
            number = self.cleaned_data.get(form_field)
            if number:
                try:
                    setattr(self.instance, model_field, self.resident(number))
                except ValidationError as exc:
                    self.add_error(form_field, exc)
        super()._post_clean()  # type: ignore[misc]


# -- residents and households -------------------------------------------------------------
class PersonForm(RegisterForm):
    """A resident. Sex and birth date come from the ID number, never typed; the address
    names the household (an existing one of the community, or a new one)."""

    id_number = IdNumberField()
    phone = PhoneField(required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False,
                              help_text=_("同一住址的居民为一户；住址可写到门牌号"))

    class Meta:
        model = Person
        fields = ["name", "id_number", "phone", "residence", "address", "relation",
                  "moved_in_on", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.household_id and not self.is_bound:
            self.initial["address"] = self.instance.household.address
        self.fields["name"].widget.attrs["autocomplete"] = "off"

    def clean_moved_in_on(self) -> dt.date | None:
        value = self.cleaned_data.get("moved_in_on")
        not_in_future(value)
        return value

    def clean_name(self) -> str:
        return " ".join(str(self.cleaned_data.get("name") or "").split())


class HouseholdForm(RegisterForm):
    class Meta:
        model = Household
        fields = ["address", "building", "grid", "note"]

    def clean_address(self) -> str:
        address = " ".join(str(self.cleaned_data.get("address") or "").split())
        if Household.objects.filter(unit=self.unit, address=address).exclude(
                pk=self.instance.pk).exists():
            raise ValidationError(_("本社区已有住址为「%(a)s」的户。") % {"a": address},
                                  code="duplicate")
        return address

    def _post_clean(self) -> None:
        self.instance.unit = self.unit
        super()._post_clean()


# -- the other registers: simple forms, extended with each kind's rules ------------------
class VolunteerForm(RegisterForm):
    person_fields: ClassVar[dict[str, str]] = {"id_number": "person"}
    residents_elsewhere = True
    id_number = IdNumberField()
    team_name = forms.CharField(label=_("志愿服务队"), max_length=100, required=False)

    class Meta:
        model = Volunteer
        fields = ["id_number", "team_name", "skills", "registered_on", "left_on"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        for name in ("registered_on", "left_on"):
            try:
                not_in_future(data.get(name))
            except ValidationError as exc:
                self.add_error(name, exc)
        registered, left = data.get("registered_on"), data.get("left_on")
        if registered and left and left < registered:
            self.add_error("left_on", ValidationError(_("退出日期早于注册日期。"), code="order"))
        return data

    def _post_clean(self) -> None:
        team = (self.cleaned_data.get("team_name") or "").strip()
        if team:
            self.instance.team = (VolunteerTeam.objects.filter(unit=self.unit, name=team).first()
                                  or VolunteerTeam(unit=self.unit, name=team))
        self.instance.unit = self.unit
        super()._post_clean()
        person = getattr(self.instance, "person", None) if self.instance.person_id else None
        if person is not None and Volunteer.objects.filter(unit=self.unit, person=person).exclude(
                pk=self.instance.pk).exists():
            self.add_error("id_number", ValidationError(
                _("此人已是本单位的注册志愿者。"), code="duplicate"))


class ServiceRecordForm(RegisterForm):
    id_number = IdNumberField(label=_("志愿者公民身份号码"))

    class Meta:
        model = ServiceRecord
        fields = ["id_number", "date", "place", "hours", "content", "activity"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The evidence app's activities of the same community (a 志愿服务 with its photos
        # and sign-in sheet), the last year's, so the record links where one exists.
        from chuangjian.evidence.models import Activity

        field = self.fields.get("activity")
        if field is None:
            return
        field.queryset = Activity.objects.filter(  # type: ignore[attr-defined]
            unit=self.unit, date__gte=timezone.localdate() - dt.timedelta(days=400)
        ).order_by("-date")
        field.label_from_instance = lambda a: f"{a.date:%Y-%m-%d} {a.title}"  # type: ignore[attr-defined]
        field.help_text = _("有对应的活动台账时选择，服务记录即与活动照片、签到表关联")

    def clean_date(self) -> dt.date:
        value = self.cleaned_data["date"]
        not_in_future(value)
        return value

    def clean_hours(self) -> Decimal:
        value = self.cleaned_data["hours"]
        if value is not None and not (Decimal("0") < value <= Decimal("24")):
            raise ValidationError(_("服务时长应在 0 到 24 小时之间。"), code="range")
        return value

    def _post_clean(self) -> None:
        number = self.cleaned_data.get("id_number")
        if number:
            volunteer = Volunteer.objects.filter(
                unit=self.unit, person__id_number_hash=personal.id_hash(number)).first()
            if volunteer is None:
                self.add_error("id_number", ValidationError(
                    _("公民身份号码为 %(n)s 的居民不是本单位的注册志愿者。")
                    % {"n": personal.mask_id_number(number)}, code="not_volunteer"))
            else:
                self.instance.volunteer = volunteer
        super()._post_clean()


class FamilyHonourForm(RegisterForm):
    address = forms.CharField(label=_("住址"), max_length=200)

    class Meta:
        model = FamilyHonour
        fields = ["address", "kind", "year", "evaluation", "awarded", "level"]

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year is not None and not (2000 <= year <= timezone.localdate().year):
            raise ValidationError(_("年度 %(y)s 不在 2000 年到今年之间。") % {"y": year},
                                  code="range")
        return year

    def _post_clean(self) -> None:
        address = " ".join(str(self.cleaned_data.get("address") or "").split())
        if address:
            household = Household.objects.filter(unit=self.unit, address=address).first()
            if household is None:
                self.add_error("address", ValidationError(
                    _("本社区没有住址为「%(a)s」的户。") % {"a": address}, code="no_household"))
            else:
                self.instance.household = household
                kind, year = self.cleaned_data.get("kind"), self.cleaned_data.get("year")
                if kind and year and FamilyHonour.objects.filter(
                        household=household, kind=kind, year=int(year)
                        ).exclude(pk=self.instance.pk).exists():
                    self.add_error("year", ValidationError(
                        _("这一户这一年度的这一类别已经登记过。"), code="duplicate"))
        super()._post_clean()


class BPReadingForm(RegisterForm):
    person_fields: ClassVar[dict[str, str]] = {"id_number": "person"}
    id_number = IdNumberField()

    class Meta:
        model = BPReading
        fields = ["id_number", "measured_on", "place", "systolic", "diastolic", "measured_by"]

    def clean_measured_on(self) -> dt.date:
        value = self.cleaned_data["measured_on"]
        not_in_future(value)
        return value

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        systolic, diastolic = data.get("systolic"), data.get("diastolic")
        if systolic is not None and not 60 <= systolic <= 260:
            self.add_error("systolic", ValidationError(
                _("收缩压 %(v)s 不在 60–260 mmHg 之间，请核对。") % {"v": systolic}, code="range"))
        if diastolic is not None and not 30 <= diastolic <= 160:
            self.add_error("diastolic", ValidationError(
                _("舒张压 %(v)s 不在 30–160 mmHg 之间，请核对。") % {"v": diastolic},
                code="range"))
        if systolic is not None and diastolic is not None and diastolic >= systolic:
            self.add_error("diastolic", ValidationError(
                _("舒张压应低于收缩压。"), code="order"))
        return data


class MediationCaseForm(RegisterForm):
    parties = forms.CharField(
        label=_("当事人"), max_length=300,
        help_text=_("多个当事人用顿号或逗号分开；已登记的居民可写「姓名/公民身份号码」"))

    class Meta:
        model = MediationCase
        fields = ["kind", "summary", "parties", "received_on", "closed_on", "outcome",
                  "mediator"]

    def clean_parties(self) -> list[tuple[str, Person | None]]:
        raw = str(self.cleaned_data.get("parties") or "")
        parts = [p.strip() for p in raw.replace("，", "、").replace(",", "、").split("、")]
        parsed: list[tuple[str, Person | None]] = []
        for part in filter(None, parts):
            name, _sep, number = part.partition("/")
            person = self.resident(personal.normalise_id_number(number)) if number else None
            parsed.append((name.strip()[:50], person))
        if not parsed:
            raise ValidationError(_("请填写当事人。"), code="required")
        return parsed

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        received, closed = data.get("received_on"), data.get("closed_on")
        for name in ("received_on", "closed_on"):
            try:
                not_in_future(data.get(name))
            except ValidationError as exc:
                self.add_error(name, exc)
        if received and closed and closed < received:
            self.add_error("closed_on", ValidationError(_("结案日期早于受理日期。"),
                                                        code="order"))
        outcome = data.get("outcome")
        if outcome and outcome != "pending" and not closed and "closed_on" not in self.errors:
            self.add_error("closed_on", ValidationError(
                _("调解结果已定，请填写结案日期。"), code="required"))
        if outcome == "pending" and closed:
            self.add_error("outcome", ValidationError(
                _("已填写结案日期，请选择调解结果。"), code="pending"))
        return data

    def _post_clean(self) -> None:
        self.instance.unit = self.unit
        super()._post_clean()


class PlacementForm(RegisterForm):
    person_fields: ClassVar[dict[str, str]] = {"id_number": "person"}
    residents_elsewhere = True
    id_number = IdNumberField()

    class Meta:
        model = Placement
        fields = ["id_number", "employer", "placed_on", "placed_by", "note"]

    def clean_placed_on(self) -> dt.date:
        value = self.cleaned_data["placed_on"]
        not_in_future(value)
        return value

    def _post_clean(self) -> None:
        self.instance.unit = self.unit
        super()._post_clean()


class FacilityForm(RegisterForm):
    class Meta:
        model = Facility
        fields = ["kind", "name", "address", "quantity", "area_m2", "working", "inspected_on",
                  "removed_on", "note"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        for name in ("inspected_on", "removed_on"):
            try:
                not_in_future(data.get(name))
            except ValidationError as exc:
                self.add_error(name, exc)
        area = data.get("area_m2")
        if data.get("kind") in ("green_area", "activity_space") and not area:
            self.add_error("area_m2", ValidationError(
                _("绿地和活动场地请填写面积（平方米）。"), code="required"))
        if area is not None and area < 0:
            self.add_error("area_m2", ValidationError(_("面积不能为负数。"), code="range"))
        return data

    def _post_clean(self) -> None:
        self.instance.unit = self.unit
        super()._post_clean()
