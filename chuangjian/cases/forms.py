"""Forms of the case pages: they parse and bound input; the rules live in ``actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chuangjian.cases.models import CaseKind, CloseReason, Risk, UrineResult, UrineTest
from chuangjian.lib.personal import normalise_id_number
from chuangjian.org.models import User
from chuangjian.registers.models import Placement
from chuangjian.web.forms import DateInput, Styled


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class SearchForm(Styled, forms.Form):
    q = forms.CharField(label=_("姓名或身份证号"), max_length=30, required=False)


class NewCaseForm(Styled, forms.Form):
    id_number = forms.CharField(label=_("帮教对象的公民身份号码"), max_length=30,
                                help_text=_("须已登记在居民名册中"))
    kind = forms.ChoiceField(label=_("帮教类型"), choices=CaseKind.choices)
    order_start = forms.DateField(label=_("决定书起始日期"), widget=DateInput())
    order_end = forms.DateField(label=_("决定书截止日期"), widget=DateInput())
    risk = forms.ChoiceField(label=_("风险等级"), choices=Risk.choices, initial=Risk.MEDIUM)
    caseworker = UserChoice(label=_("责任社工"), queryset=User.objects.none())
    leader = UserChoice(label=_("包帮领导"), queryset=User.objects.none(), required=False)
    police = UserChoice(label=_("社区民警"), queryset=User.objects.none(), required=False)
    cadre = UserChoice(label=_("社区（村）干部"), queryset=User.objects.none(), required=False)
    family = forms.CharField(label=_("家属"), max_length=50, required=False)
    volunteer = forms.CharField(label=_("志愿者"), max_length=50, required=False)

    def __init__(self, *args: Any, caseworkers: QuerySet[User], people: QuerySet[User],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers  # type: ignore[attr-defined]
        for name in ("leader", "police", "cadre"):
            self.fields[name].queryset = people  # type: ignore[attr-defined]

    def clean_id_number(self) -> str:
        return normalise_id_number(self.cleaned_data["id_number"])


class VisitForm(Styled, forms.Form):
    date = forms.DateField(label=_("谈心日期"), widget=DateInput())
    place = forms.CharField(label=_("地点"), max_length=100)
    notes = forms.CharField(label=_("谈心记录"), max_length=4000, widget=forms.Textarea(
        attrs={"rows": 3}))


class TestForm(Styled, forms.Form):
    test = forms.ModelChoiceField(label=_("应检日期"), queryset=UrineTest.objects.none())
    result = forms.ChoiceField(label=_("检测结果"), choices=UrineResult.choices)
    tested_on = forms.DateField(label=_("检测日期"), widget=DateInput(), required=False,
                                help_text=_("未到场时不填"))
    note = forms.CharField(label=_("备注"), max_length=1000, required=False)

    def __init__(self, *args: Any, tests: QuerySet[UrineTest], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["test"]
        field.queryset = tests  # type: ignore[attr-defined]
        field.label_from_instance = lambda t: f"{t.due_on:%Y-%m-%d}"  # type: ignore[attr-defined]


class RelapseForm(Styled, forms.Form):
    found_on = forms.DateField(label=_("发现日期"), widget=DateInput())
    note = forms.CharField(label=_("情况说明"), max_length=2000, required=False)


class EmploymentForm(Styled, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DateInput())
    what = forms.CharField(label=_("帮扶内容"), max_length=200)
    placement = forms.ModelChoiceField(label=_("就业安置记录"), required=False,
                                       queryset=Placement.objects.none())

    def __init__(self, *args: Any, placements: QuerySet[Placement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["placement"].queryset = placements  # type: ignore[attr-defined]


class CloseForm(Styled, forms.Form):
    reason = forms.ChoiceField(label=_("结案原因"), choices=CloseReason.choices)
    on = forms.DateField(label=_("结案日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=2000, required=False)


class TransferForm(Styled, forms.Form):
    to_unit = forms.CharField(label=_("受托单位编码"), max_length=40,
                              help_text=_("现住地社区（村）的单位编码"))
    reason = forms.CharField(label=_("委托理由"), max_length=200)


class DecideForm(Styled, forms.Form):
    caseworker = UserChoice(label=_("接收后的责任社工"), queryset=User.objects.none(),
                            required=False)
    note = forms.CharField(label=_("拒收理由"), max_length=200, required=False)

    def __init__(self, *args: Any, caseworkers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = caseworkers  # type: ignore[attr-defined]


class ReferralForm(Styled, forms.Form):
    recipient = forms.CharField(label=_("接收人账号"), max_length=150)
    body = forms.CharField(label=_("接收机构"), max_length=100)
    service = forms.CharField(label=_("服务事项"), max_length=100)
    expires_on = forms.DateField(label=_("有效期至"), widget=DateInput())

    def clean_recipient(self) -> User:
        user = User.objects.filter(username=self.cleaned_data["recipient"], is_active=True).first()
        if user is None:
            raise ValidationError(_("没有这个账号。"))
        return user
