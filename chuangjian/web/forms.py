"""Forms parse and check input; the rules of the domain live in the org actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from chuangjian.lib.versions import VersionField
from chuangjian.org.levels import LEVEL_ORDER, Category, Kind, Level, level_label
from chuangjian.org.models import Role, Unit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class Styled:
    """Give every widget Bootstrap's classes, and mark invalid fields after validation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxInput)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        # Django also routes a dict of errors through here with field=None.
        names = list(error.error_dict) if field is None and hasattr(error, "error_dict") else [field]
        for name in names:
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs.get("class", ""):  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def apply_errors(form: forms.Form, exc: ValidationError, default_field: str | None = None,
                 aliases: dict[str, str] | None = None) -> None:
    """Show an action's ValidationError beside the fields it names (others on top);
    ``aliases`` maps a model field to the form field that stands for it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(default_field if default_field in form.fields else None, exc.messages)


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picker whose labels show the tree by indentation (names, not codes: the
    indentation tells apart two units of the same name)."""

    def label_from_instance(self, obj: Unit) -> str:
        indent = "\u3000" * max(obj.depth - 1, 0)
        return f"{indent}{obj.name}"


# -- login --------------------------------------------------------------------------------

class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用，请联系管理员。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"class": "form-control form-control-lg",
                                                     "placeholder": _("请输入用户名")})
        self.fields["password"].widget.attrs.update({"class": "form-control form-control-lg",
                                                     "placeholder": _("请输入密码")})


# -- units --------------------------------------------------------------------------------

class UnitCreateForm(Styled, forms.Form):
    code = forms.CharField(label=_("编码"), max_length=32,
                           help_text=_("全区唯一，例如 QY-01-A-04"))
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, initial=Kind.AREA,
                             widget=forms.RadioSelect)
    level = forms.ChoiceField(label=_("层级"))
    department_type = forms.CharField(label=_("部门类别"), max_length=32, required=False,
                                      help_text=_("职能部门（条）必填，如 城管办、派出所"))
    category = forms.ChoiceField(label=_("城乡分类"), choices=Category.choices)
    division_code = forms.CharField(label=_("统计用区划代码"), max_length=12, required=False,
                                    help_text=_("输入名称或代码检索国家统计用区划代码"))
    opened_on = forms.DateField(label=_("设立日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, parent: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        below = [c for c in Level.values if LEVEL_ORDER[c] > LEVEL_ORDER[parent.level]]
        level_field: forms.ChoiceField = self.fields["level"]  # type: ignore[assignment]
        level_field.choices = [(c, level_label(c)) for c in below] or [
            (parent.level, level_label(parent.level))]
        self.fields["level"].initial = below[0] if below else parent.level
        self.fields["category"].initial = parent.category
        self.fields["opened_on"].initial = timezone.localdate()


class UnitEditForm(Styled, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    effective = forms.DateField(label=_("更名生效日期"), required=False, widget=DateInput(),
                                help_text=_("仅在名称变更时使用，历史中保留原名称"))
    category = forms.ChoiceField(label=_("城乡分类"), choices=Category.choices)
    department_type = forms.CharField(label=_("部门类别"), max_length=32, required=False)
    division_code = forms.CharField(label=_("统计用区划代码"), max_length=12, required=False)
    opened_on = forms.DateField(label=_("设立日期"), required=False, widget=DateInput())
    version = VersionField()

    FIELDS = ("name", "category", "department_type", "division_code", "opened_on")

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {f: getattr(unit, f) for f in (*self.FIELDS, "version")})
        kwargs["initial"].setdefault("effective", timezone.localdate())
        super().__init__(*args, **kwargs)
        if not unit.is_department:
            del self.fields["department_type"]

    def changes(self, unit: Unit) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in self.FIELDS
                if f in self.cleaned_data and self.cleaned_data[f] != getattr(unit, f)}


class UnitCloseForm(Styled, forms.Form):
    on = forms.DateField(label=_("撤销日期"), widget=DateInput())
    reason = forms.CharField(label=_("撤销原因"), max_length=200, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class SplitPartForm(Styled, forms.Form):
    code = forms.CharField(label=_("编码"), max_length=32, required=False)
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("城乡分类"), choices=Category.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("code")) != bool(data.get("name")):
            raise ValidationError(_("编码和名称须同时填写"))
        return data


class BaseSplitFormSet(forms.BaseFormSet):
    def parts(self) -> list[dict[str, str]]:
        return [{"code": f.cleaned_data["code"], "name": f.cleaned_data["name"],
                 "category": f.cleaned_data["category"]}
                for f in self.forms if f.cleaned_data.get("code")]


SplitFormSet = forms.formset_factory(SplitPartForm, formset=BaseSplitFormSet, extra=3,
                                     max_num=10)


class SplitDateForm(Styled, forms.Form):
    on = forms.DateField(label=_("拆分日期"), widget=DateInput())


class MoveForm(Styled, forms.Form):
    new_parent = UnitChoiceField(label=_("新的上级单位"), queryset=Unit.objects.none(),
                                 to_field_name="code", empty_label=_("请选择"))
    effective = forms.DateField(label=_("生效日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, targets: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = targets  # type: ignore[attr-defined]
        self.fields["effective"].initial = timezone.localdate()


class TreeDateForm(Styled, forms.Form):
    on = forms.DateField(label=_("查看历史"), required=False, widget=DateInput())

    def clean_on(self) -> dt.date | None:
        day = self.cleaned_data.get("on")
        if day and day > timezone.localdate():
            raise ValidationError(_("不能查看未来的日期"))
        return day


# -- people -------------------------------------------------------------------------------

class PersonForm(Styled, forms.Form):
    version = VersionField()
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.RegexField(label=_("手机号"), regex=r"^[0-9+\- ]{0,20}$", max_length=20,
                             required=False, error_messages={"invalid": _("请输入有效的电话号码")})
    title = forms.CharField(label=_("职务"), max_length=50, required=False)


class PersonCreateForm(PersonForm):
    username = forms.RegexField(label=_("用户名"), regex=r"^[A-Za-z0-9_.@+-]+$", max_length=150,
                                error_messages={"invalid": _("用户名只能包含字母、数字和 _ . @ + -")})
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(render_value=True),
                               help_text=_("至少 8 位，不能过于简单；用户登录后可自行修改"))
    unit = UnitChoiceField(label=_("任职单位"), queryset=Unit.objects.none(),
                           to_field_name="code", empty_label=_("请选择"))
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices, initial=Role.WORKER)

    field_order = ["username", "full_name", "phone", "title", "password", "unit", "role"]

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class MembershipForm(Styled, forms.Form):
    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.none(), to_field_name="code",
                           empty_label=_("请选择"))
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices, initial=Role.WORKER)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class PasswordForm(Styled, forms.Form):
    password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)


# -- audit --------------------------------------------------------------------------------

class AuditFilterForm(Styled, forms.Form):
    unit = forms.CharField(label=_("单位编码"), required=False)
    user = forms.CharField(label=_("操作人"), required=False)
    action = forms.CharField(label=_("操作类型"), required=False)
    start = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    end = forms.DateField(label=_("结束日期"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(_("结束日期不能早于开始日期"))
        return data


# Django's own message, listed here so that makemessages keeps our better Chinese wording
# of it in the zh_Hans catalogue (it is otherwise marked obsolete on every run).
_PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.", 0)
