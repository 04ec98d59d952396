"""Forms of the plan, task and meeting pages: they parse and bound input; the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangjian.org.models import Unit, User
from chuangjian.tasks.models import GroupRole, MeetingKind, Priority, Recurrence
from chuangjian.web.forms import DateInput, Styled


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}" + (f"（{obj.title}）" if obj.title else "")


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PlanForm(Styled, forms.Form):
    unit = UnitChoice(label=_("单位"), queryset=Unit.objects.none())
    standard = forms.ChoiceField(label=_("创建标准"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)


class TaskForm(Styled, forms.Form):
    title = forms.CharField(label=_("任务名称"), max_length=200)
    description = forms.CharField(label=_("要求"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    unit = UnitChoice(label=_("责任单位"), queryset=Unit.objects.none())
    first_responsible = PersonChoice(label=_("第一责任人"), queryset=User.objects.none(),
                                     required=False)
    direct_responsible = PersonChoice(label=_("直接责任人"), queryset=User.objects.none(),
                                      required=False)
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    deadline = forms.DateField(label=_("完成期限"), required=False, widget=DateInput())
    working_days = forms.IntegerField(label=_("或：开始后几个工作日内"), required=False,
                                      min_value=1, max_value=366,
                                      help_text=_("按法定节假日和调休安排计算"))
    priority = forms.TypedChoiceField(label=_("优先级"), choices=Priority.choices, coerce=int,
                                      initial=Priority.NORMAL)
    recurrence = forms.ChoiceField(label=_("重复"), choices=Recurrence.choices, required=False)
    recurrence_until = forms.DateField(label=_("重复截止"), required=False, widget=DateInput())


class ProgressForm(Styled, forms.Form):
    progress = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100)
    note = forms.CharField(label=_("进展情况"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    activity = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DoneForm(Styled, forms.Form):
    note = forms.CharField(label=_("完成情况"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(Styled, forms.Form):
    reason = forms.CharField(label=_("核验意见"), max_length=300, required=False)


class ItemForm(Styled, forms.Form):
    own_target = forms.CharField(label=_("本单位目标"), max_length=300, required=False)
    score_own = forms.BooleanField(label=_("按本单位目标考核"), required=False)
    guiding_unit = UnitChoice(label=_("业务指导部门（条）"), queryset=Unit.objects.none(),
                              required=False)
    carrying_unit = UnitChoice(label=_("牵头落实单位（块）"), queryset=Unit.objects.none(),
                               required=False)


class GroupForm(Styled, forms.Form):
    user = PersonChoice(label=_("人员"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("小组职务"), choices=GroupRole.choices)
    duty = forms.CharField(label=_("分工"), max_length=200, required=False)


class MeetingForm(Styled, forms.Form):
    unit = UnitChoice(label=_("单位"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    day = forms.DateField(label=_("会议日期"), widget=DateInput())
    place = forms.CharField(label=_("地点"), max_length=200)
    agenda = forms.CharField(label=_("议程"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class HoldForm(Styled, forms.Form):
    attended = forms.ModelMultipleChoiceField(label=_("出席人员"), queryset=User.objects.none(),
                                              required=False,
                                              widget=forms.CheckboxSelectMultiple)
    others = forms.CharField(label=_("其他出席人员"), max_length=300, required=False)
    minutes = forms.CharField(label=_("会议纪要"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    decisions = forms.CharField(label=_("决定事项（每行一条）"), max_length=6000, required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))


class DecisionTaskForm(Styled, forms.Form):
    unit = UnitChoice(label=_("责任单位"), queryset=Unit.objects.none())
    direct_responsible = PersonChoice(label=_("直接责任人"), queryset=User.objects.none())
    working_days = forms.IntegerField(label=_("几个工作日内完成"), min_value=1, max_value=366,
                                      initial=5)
