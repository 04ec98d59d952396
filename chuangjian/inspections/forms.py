"""Forms parse and check the shape of input; the rules live in the actions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangjian.engine.periods import SHANGHAI
from chuangjian.inspections.models import (
    Accountability,
    Bulletin,
    Finding,
    PointType,
    Round,
    RoundKind,
    Severity,
    SupervisionGroup,
)
from chuangjian.lib.versions import VersionField
from chuangjian.org.models import Unit, User
from chuangjian.standards.models import StandardVersion
from chuangjian.web.forms import DateInput, Styled


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input; the actions check each one (type, size, EXIF)."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": "image/*", "capture": "environment",
                                  "multiple": True})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def shanghai_field(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, widget=DateTimeLocalInput(),
                               input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


def as_shanghai(value: dt.datetime | None) -> dt.datetime | None:
    """A wall-clock time typed in the form is Shanghai time, whatever the browser says."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.make_naive(value, SHANGHAI)
    return value.replace(tzinfo=SHANGHAI)


# Every model field's queryset is set by the view from the person's scope.
QS_NONE: Any = None


def new_key() -> str:
    return uuid.uuid4().hex


class PointForm(Styled, forms.Form):
    version = VersionField()
    name = forms.CharField(label=_("点位名称"), max_length=100)
    type = forms.ChoiceField(label=_("点位类型"), choices=PointType.choices)
    unit = forms.CharField(label=_("所在单位编码"), max_length=32,
                           help_text=_("点位所在的社区、村或管区的编码，如 QY-01-A-01"))
    responsible_unit = forms.CharField(label=_("责任单位编码"), max_length=32, required=False,
                                       help_text=_("不填即为所在单位；市场可填市场事务所，道路可填城管办"))
    address = forms.CharField(label=_("地址"), max_length=200)
    latitude = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("经度"), required=False, max_digits=9,
                                   decimal_places=6)
    contact_name = forms.CharField(label=_("联络员"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联络电话"), max_length=20, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class GroupForm(Styled, forms.Form):
    name = forms.CharField(label=_("督导组名称"), max_length=60)
    leader: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("组长"), queryset=QS_NONE, required=False)
    members: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(label=_("组员"), queryset=QS_NONE, required=False,
                                             widget=forms.SelectMultiple(attrs={"size": 6}))
    areas: forms.ModelMultipleChoiceField[Unit] = forms.ModelMultipleChoiceField(label=_("负责片区"), queryset=QS_NONE,
                                           widget=forms.SelectMultiple(attrs={"size": 8}))


class RoundForm(Styled, forms.Form):
    kind = forms.ChoiceField(label=_("督查类型"), choices=RoundKind.choices,
                             widget=forms.RadioSelect)
    title = forms.CharField(label=_("名称"), max_length=100)
    scope_unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=_("检查范围"), queryset=QS_NONE)
    standard: forms.ModelChoiceField[StandardVersion] = forms.ModelChoiceField(label=_("依据标准（检查表）"), queryset=QS_NONE, required=False)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    groups: forms.ModelMultipleChoiceField[SupervisionGroup] = forms.ModelMultipleChoiceField(label=_("督导组"), queryset=QS_NONE, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    seed = forms.IntegerField(label=_("抽样种子"), required=False, min_value=0,
                              max_value=999_999_999,
                              help_text=_("不填则随机生成并记录；同样的种子和点位总能抽出同样的点位"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in PointType.choices:
            self.fields[f"quota_{value}"] = forms.IntegerField(
                label=label, required=False, min_value=0, max_value=500,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm",
                                                "placeholder": "0"}))

    def quotas(self) -> dict[str, int]:
        return {v: self.cleaned_data.get(f"quota_{v}") or 0 for v in PointType.values}

    def quota_fields(self) -> list[Any]:
        return [self[f"quota_{v}"] for v in PointType.values]


class FindingForm(Styled, forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=_("属地单位"), queryset=QS_NONE, required=False)
    point = forms.IntegerField(widget=forms.HiddenInput, required=False)
    checklist_item = forms.IntegerField(label=_("检查项"), required=False,
                                        widget=forms.Select(choices=[]))
    category = forms.IntegerField(label=_("问题类别"), required=False,
                                  widget=forms.Select(choices=[]))
    description = forms.CharField(label=_("问题描述"), max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=_("问题等级"), choices=Severity.choices,
                                 initial=Severity.ORDINARY, widget=forms.RadioSelect)
    deduction = forms.DecimalField(label=_("扣分"), required=False, min_value=0, max_value=100,
                                   decimal_places=1,
                                   help_text=_("不填按等级默认：简易0.5、一般1、突出2、重大5"))
    photos = PhotosField(label=_("现场照片"))
    address = forms.CharField(label=_("位置"), max_length=200, required=False)
    latitude = forms.CharField(widget=forms.HiddenInput, required=False)
    longitude = forms.CharField(widget=forms.HiddenInput, required=False)
    accuracy_m = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    dispatch = forms.BooleanField(label=_("立即派单给责任单位"), required=False, initial=True)


class ReportForm(Styled, forms.Form):
    """The public 随手拍 form."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    category = forms.IntegerField(label=_("问题类型"), widget=forms.Select(choices=[]))
    description = forms.CharField(label=_("问题描述"), max_length=500,
                                  widget=forms.Textarea(attrs={"rows": 3, "placeholder": _(
                                      "例如：小区门口人行道上停满电动车，行人无法通行")}))
    photos = PhotosField(label=_("照片（1–3 张）"))
    address = forms.CharField(label=_("问题位置"), max_length=200, widget=forms.TextInput(
        attrs={"placeholder": _("例如：幸福里小区北门")}))
    latitude = forms.CharField(widget=forms.HiddenInput, required=False)
    longitude = forms.CharField(widget=forms.HiddenInput, required=False)
    unit = forms.IntegerField(label=_("所在社区（不清楚可不选）"), required=False,
                              widget=forms.Select(choices=[]))
    phone = forms.CharField(label=_("手机号（可不填，仅用于核实情况）"), max_length=20,
                            required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))


class DispatchForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=_("责任单位"), queryset=QS_NONE)
    user: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("责任人"), queryset=QS_NONE, required=False)
    deadline = shanghai_field(_("整改期限"))
    note = forms.CharField(label=_("派单说明"), max_length=300, required=False)


class ReasonForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RectifyForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("整改情况"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("整改后照片"))


class VerifyForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    passed = forms.TypedChoiceField(label=_("复核结论"), coerce=lambda v: v == "1",
                                    choices=[("1", _("整改到位，销号")), ("0", _("未整改到位，返工"))],
                                    widget=forms.RadioSelect)
    note = forms.CharField(label=_("复核意见"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    new_deadline = shanghai_field(_("申请延至"))
    reason = forms.CharField(label=_("延期理由"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DecideExtensionForm(Styled, forms.Form):
    approve = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=[("1", "1"), ("0", "0")])
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class ReopenForm(Styled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("复发情况"), max_length=300,
                           widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(label=_("复发照片"))


class TriageForm(Styled, forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("立案")), ("reject", _("不予立案"))],
                                 widget=forms.RadioSelect, label=_("处理"))
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=_("属地单位"), queryset=QS_NONE, required=False)
    category = forms.IntegerField(label=_("问题类别"), required=False,
                                  widget=forms.Select(choices=[]))
    severity = forms.ChoiceField(label=_("问题等级"), choices=Severity.choices,
                                 initial=Severity.ORDINARY, required=False)
    reason = forms.CharField(label=_("不予立案理由（群众可见）"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "accept" and not data.get("unit"):
            self.add_error("unit", _("请选择问题所在的属地单位"))
        return data


class BulletinForm(Styled, forms.Form):
    kind = forms.ChoiceField(label=_("通报类型"), choices=Bulletin.Kind.choices,
                             widget=forms.RadioSelect, initial=Bulletin.Kind.MONTH)
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=_("发文单位"), queryset=QS_NONE)
    round: forms.ModelChoiceField[Round] = forms.ModelChoiceField(label=_("督查轮次"), queryset=QS_NONE, required=False)
    month = forms.CharField(label=_("月份"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month"}))
    issuer = forms.CharField(label=_("发文机关"), max_length=100, required=False,
                             help_text=_("不填为“××创建全国文明城市工作领导小组办公室”"))
    title = forms.CharField(label=_("标题"), max_length=200, required=False,
                            help_text=_("不填自动生成"))
    issued_on = forms.DateField(label=_("成文日期"), widget=DateInput())
    format = forms.ChoiceField(label=_("格式"), choices=[("pdf", "PDF"), ("docx", "Word")],
                               widget=forms.RadioSelect, initial="pdf")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Bulletin.Kind.ROUND and not data.get("round"):
            self.add_error("round", _("请选择督查轮次"))
        if data.get("kind") == Bulletin.Kind.MONTH and not data.get("month"):
            self.add_error("month", _("请选择月份"))
        return data


class AccountabilityForm(Styled, forms.Form):
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=_("问责单位"), queryset=QS_NONE)
    person = forms.CharField(label=_("问责对象（姓名、职务）"), max_length=60)
    measure = forms.ChoiceField(label=_("问责方式"), choices=Accountability.Measure.choices)
    reason = forms.CharField(label=_("问责事由"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput())
    findings: forms.ModelMultipleChoiceField[Finding] = forms.ModelMultipleChoiceField(label=_("相关问题"), queryset=QS_NONE,
                                              widget=forms.CheckboxSelectMultiple)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("点位台账 xlsx"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > 10 * 1024 * 1024:
            raise ValidationError(_("文件超过 10 MB"))
        return f
