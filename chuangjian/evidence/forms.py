"""Forms parse and check input; the rules live in evidence.actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangjian.evidence.builtin_types import ACTIVITY_ELEMENTS
from chuangjian.evidence.models import ActivityType
from chuangjian.lib.versions import VersionField
from chuangjian.org.models import Unit
from chuangjian.web.forms import DateInput, Styled


class UnitField(forms.ModelChoiceField):
    """Units by name: a worker picks 「幸福里社区」, not its code."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ActivityForm(Styled, forms.Form):
    version = VersionField()
    unit = UnitField(label=_("单位"), queryset=Unit.objects.none(),
                     error_messages={"invalid_choice": _("所选单位不在您可登记的范围内")})
    type = forms.ModelChoiceField(label=_("活动类型"), queryset=ActivityType.objects.none(),
                                  error_messages={"invalid_choice": _("请选择有效的活动类型")})
    title = forms.CharField(label=_("活动名称"), max_length=200)
    date = forms.DateField(label=_("活动日期"), widget=DateInput())
    place = forms.CharField(label=_("地点"), max_length=200)
    organiser = forms.CharField(label=_("组织者"), max_length=100)
    participants_count = forms.IntegerField(label=_("参加人数"), min_value=0, max_value=100000)
    participants = forms.CharField(label=_("参加人员"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("需要时列出参加的单位或人员"))
    description = forms.CharField(label=_("活动内容"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    minutes = forms.CharField(label=_("会议纪要"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    attendance = forms.CharField(label=_("出席人员"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    decisions = forms.CharField(label=_("决定事项"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["type"].queryset = ActivityType.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("活动日期不能晚于今天"))
        return value


class ActivityFilterForm(Styled, forms.Form):
    unit = forms.CharField(label=_("单位编码"), required=False)
    type = forms.ChoiceField(label=_("活动类型"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    q = forms.CharField(label=_("关键词"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("全部类型"))] + [  # type: ignore[attr-defined]
            (t.code, t.name) for t in ActivityType.objects.all()]


class DocumentForm(Styled, forms.Form):
    title = forms.CharField(label=_("材料名称"), max_length=200)
    date = forms.DateField(label=_("日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ActivityTypeForm(Styled, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=40)
    code = forms.SlugField(label=_("编码"), max_length=40,
                           help_text=_("英文字母、数字和下划线，如 book_club"))
    is_meeting = forms.BooleanField(label=_("会议类（记录纪要、出席人员和决定事项）"), required=False)
    elements = forms.MultipleChoiceField(label=_("计入的数据元素"), required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         choices=[(c, f"{t}（{c}）") for c, t in ACTIVITY_ELEMENTS.items()])
    keywords = forms.CharField(label=_("关键词"), required=False,
                               help_text=_("用顿号或逗号分隔，用于从佐证要求中匹配本类活动"))
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class WindowForm(Styled, forms.Form):
    months = forms.IntegerField(label=_("月数"), min_value=1, max_value=36)
    end_month = forms.IntegerField(label=_("截止月份"), min_value=1, max_value=12)
    end_day = forms.IntegerField(label=_("截止日"), min_value=1, max_value=31)
