"""Display names for audit action codes and the keys of their JSON data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "org.unit.created": _("新建单位"),
    "org.unit.updated": _("修改单位"),
    "org.unit.moved": _("移动单位"),
    "org.unit.closed": _("撤销单位"),
    "org.unit.split": _("拆分单位"),
    "org.unit.merged": _("合并单位"),
    "org.user.created": _("新建用户"),
    "org.user.updated": _("修改用户"),
    "org.user.password_set": _("重置密码"),
    "org.membership.added": _("添加任职"),
    "org.membership.removed": _("解除任职"),
}

# Filter choices for the audit browser: a prefix matches every action below it.
ACTION_PREFIXES = [
    ("org.unit.", _("单位变更")),
    ("org.user.", _("用户变更")),
    ("org.membership.", _("任职变更")),
]

DATA_LABELS = {
    "code": _("编码"),
    "name": _("名称"),
    "level": _("层级"),
    "parent": _("上级单位"),
    "changes": _("变更"),
    "from": _("原上级"),
    "to": _("新上级"),
    "effective": _("生效日期"),
    "subtree_size": _("涉及单位数"),
    "on": _("日期"),
    "reason": _("原因"),
    "into": _("拆分为"),
    "username": _("用户名"),
    "full_name": _("姓名"),
    "user": _("用户"),
    "role": _("角色"),
    "phone": _("手机号"),
    "title": _("职务"),
    "is_active": _("启用"),
    "category": _("城乡分类"),
    "department_type": _("部门类别"),
    "division_code": _("统计用区划代码"),
    "opened_on": _("设立日期"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
