"""The demo district (演示数据): a realistic 区 with streets, a town, 管区, communities,
villages, functional departments and people in every role.

Built through the real actions, and idempotent: running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from chuangjian.org import actions
from chuangjian.org.levels import Kind, Level
from chuangjian.org.models import Membership, Role, Unit, User
from chuangjian.org.scope import Scope

DEMO_PASSWORD = "Demo@2026cj"

# (code, name, level, category, children); departments are (code, name, department type).
TREE: list[tuple] = [
    ("QY", "清源区", Level.DISTRICT, "城镇", [
        ("QY-01", "城关街道", Level.STREET, "城镇", [
            ("QY-01-A", "城东管区", Level.AREA, "城镇", [
                ("QY-01-A-01", "幸福里社区", Level.COMMUNITY, "城镇", [
                    ("QY-01-A-01-G1", "幸福里第一网格", Level.GRID, "城镇", [
                        ("QY-01-A-01-G1-01", "幸福里1幢楼组", Level.BUILDING, "城镇", []),
                        ("QY-01-A-01-G1-02", "幸福里2幢楼组", Level.BUILDING, "城镇", []),
                    ]),
                    ("QY-01-A-01-G2", "幸福里第二网格", Level.GRID, "城镇", []),
                ]),
                ("QY-01-A-02", "南门社区", Level.COMMUNITY, "城镇", []),
                ("QY-01-A-03", "文昌社区", Level.COMMUNITY, "城镇", []),
            ]),
            ("QY-01-B", "城西管区", Level.AREA, "城镇", [
                ("QY-01-B-01", "西湖社区", Level.COMMUNITY, "城镇", []),
                ("QY-01-B-02", "锦绣社区", Level.COMMUNITY, "城镇", []),
                ("QY-01-B-03", "学府社区", Level.COMMUNITY, "城镇", []),
            ]),
        ]),
        ("QY-02", "东湖街道", Level.STREET, "城镇", [
            ("QY-02-A", "东湖第一管区", Level.AREA, "城镇", [
                ("QY-02-A-01", "湖滨社区", Level.COMMUNITY, "城镇", []),
                ("QY-02-A-02", "望江社区", Level.COMMUNITY, "城镇", []),
                ("QY-02-A-03", "新桥社区", Level.COMMUNITY, "城镇", []),
            ]),
            ("QY-02-B", "东湖第二管区", Level.AREA, "城镇", [
                ("QY-02-B-01", "滨江社区", Level.COMMUNITY, "城镇", []),
                ("QY-02-B-02", "长安社区", Level.COMMUNITY, "城镇", []),
            ]),
        ]),
        ("QY-03", "白石镇", Level.STREET, "农村", [
            ("QY-03-A", "白石北管区", Level.AREA, "农村", [
                ("QY-03-A-01", "上林村", Level.COMMUNITY, "农村", []),
                ("QY-03-A-02", "下林村", Level.COMMUNITY, "农村", []),
                ("QY-03-A-03", "石塘村", Level.COMMUNITY, "农村", []),
            ]),
            ("QY-03-B", "白石南管区", Level.AREA, "农村", [
                ("QY-03-B-01", "溪口村", Level.COMMUNITY, "农村", []),
                ("QY-03-B-02", "岭头村", Level.COMMUNITY, "农村", []),
                ("QY-03-B-03", "桃源社区", Level.COMMUNITY, "城镇", []),
            ]),
        ]),
    ]),
]

# (unit, new parent, effective date): a community moved between streets mid-2025.
MOVED = ("QY-02-B-02", "QY-01-B", dt.date(2025, 7, 1))

DEPARTMENTS: dict[str, list[tuple[str, str, str]]] = {
    "QY": [("QY-D-WMB", "清源区文明办", "文明办"), ("QY-D-JDB", "清源区禁毒办", "禁毒办"),
           ("QY-D-AWB", "清源区爱卫办", "爱卫办")],
    "QY-01": [("QY-01-D-CGB", "城关街道城管办", "城管办"),
              ("QY-01-D-ZFZD", "城关街道执法中队", "执法中队"),
              ("QY-01-D-WYB", "城关街道物业办", "物业办"),
              ("QY-01-D-SCS", "城关市场事务所", "市场事务所"),
              ("QY-01-D-KJWH", "城关街道科技文化中心", "科技文化中心"),
              ("QY-01-D-PCS", "城关派出所", "派出所")],
    "QY-02": [("QY-02-D-CGB", "东湖街道城管办", "城管办"),
              ("QY-02-D-PCS", "东湖派出所", "派出所")],
    "QY-03": [("QY-03-D-PCS", "白石派出所", "派出所"), ("QY-03-D-ZZB", "白石镇综治办", "综治办")],
}

# (username, full name, title, unit code, role); "admin" is the superuser.
PEOPLE: list[tuple[str, str, str, str, str]] = [
    ("qy_admin", "周建国", "区创建办系统管理员", "QY", Role.ADMIN),
    ("qy_security", "孔令安", "区创建办安全管理员", "QY", Role.SECURITY),
    ("qy_auditor", "严明", "区创建办审计管理员", "QY", Role.AUDITOR),
    ("qy_leader", "陈立新", "区委副书记", "QY", Role.LEADER),
    ("qy_wmb", "林海燕", "区文明办主任", "QY-D-WMB", Role.RESPONSIBLE),
    ("qy_jdb", "王志强", "区禁毒办副主任", "QY-D-JDB", Role.RESPONSIBLE),
    ("qy_inspector", "赵敏", "区督导组组长", "QY", Role.INSPECTOR),
    ("qy_readonly", "孙丽", "区考核办观察员", "QY", Role.READONLY),
    ("cg_leader", "李卫东", "城关街道党工委书记", "QY-01", Role.LEADER),
    ("cg_admin", "黄晓", "城关街道信息员", "QY-01", Role.ADMIN),
    ("cg_responsible", "吴芳", "城关街道创建办主任", "QY-01", Role.RESPONSIBLE),
    ("cg_inspector", "郑凯", "城关街道督查员", "QY-01", Role.INSPECTOR),
    ("cg_caseworker", "何静", "城关街道禁毒社工", "QY-01", Role.CASEWORKER),
    ("cg_dudao", "秦思远", "城关街道帮教督导", "QY-01", Role.CASE_SUPERVISOR),
    ("cd_leader", "马俊", "城东管区书记", "QY-01-A", Role.LEADER),
    ("xfl_shuji", "刘红梅", "幸福里社区书记", "QY-01-A-01", Role.RESPONSIBLE),
    ("xfl_worker", "张小燕", "幸福里社区工作人员", "QY-01-A-01", Role.WORKER),
    ("nm_worker", "胡斌", "南门社区工作人员", "QY-01-A-02", Role.WORKER),
    ("xh_worker", "高洁", "西湖社区工作人员", "QY-01-B-01", Role.WORKER),
    ("cgb_worker", "徐磊", "城关街道城管办科员", "QY-01-D-CGB", Role.WORKER),
    ("dh_leader", "邓伟", "东湖街道党工委书记", "QY-02", Role.LEADER),
    ("dh_inspector", "冯涛", "东湖街道督查员", "QY-02", Role.INSPECTOR),
    ("hb_worker", "曹丽娟", "湖滨社区工作人员", "QY-02-A-01", Role.WORKER),
    ("dh_caseworker", "罗婷", "东湖街道禁毒社工", "QY-02", Role.CASEWORKER),
    ("bs_leader", "潘国华", "白石镇党委书记", "QY-03", Role.LEADER),
    ("bs_caseworker", "钱雪", "白石镇禁毒社工", "QY-03", Role.CASEWORKER),
    ("sl_worker", "蒋春生", "上林村村委委员", "QY-03-A-01", Role.WORKER),
    ("bs_pcs", "彭勇", "白石派出所民警", "QY-03-D-PCS", Role.WORKER),
]


@dataclass
class DemoResult:
    units_created: int
    users_created: int
    logins: list[tuple[str, str, str, str]]  # username, name, role label, unit name


def _ensure_unit(code: str, name: str, level: str, category: str, parent: Unit | None,
                 kind: str = Kind.AREA, department_type: str = "") -> tuple[Unit, bool]:
    existing = Unit.objects.filter(code=code).first()
    if existing is not None:
        return existing, False
    unit = actions.create_unit(actor=None, code=code, name=name, level=level, parent=parent,
                               kind=kind, category=category, department_type=department_type,
                               opened_on=dt.date(2020, 1, 1), scope=Scope.system())
    return unit, True


@transaction.atomic
def build_demo() -> DemoResult:
    created_units = 0

    def walk(nodes: list[tuple], parent: Unit | None) -> None:
        nonlocal created_units
        for code, name, level, category, children in nodes:
            unit, created = _ensure_unit(code, name, level, category, parent)
            created_units += created
            for dcode, dname, dtype in DEPARTMENTS.get(code, []):
                dlevel = Level.STREET if level == Level.DISTRICT else Level.AREA
                _, dcreated = _ensure_unit(dcode, dname, dlevel, category, unit,
                                           kind=Kind.DEPARTMENT, department_type=dtype)
                created_units += dcreated
            walk(children, unit)

    walk(TREE, None)
    # 长安社区 moved from 东湖街道 to 城关街道 in mid-2025 (区划调整): its 2022–2025 history
    # stays with 东湖 for the periods before the move (the tree as it was).
    code, parent_code, effective = MOVED
    moved = Unit.objects.get(code=code)
    target = Unit.objects.get(code=parent_code)
    if moved.parent_id != target.pk:
        actions.move_unit(actor=None, unit=moved, new_parent=target, effective=effective, scope=Scope.system())

    created_users = 0
    logins: list[tuple[str, str, str, str]] = []
    if not User.objects.filter(username="admin").exists():
        actions.create_user(actor=None, username="admin", full_name="系统管理员",
                            password=DEMO_PASSWORD, is_superuser=True, scope=Scope.system())
        created_users += 1
    logins.append(("admin", "系统管理员", "超级管理员", "全部"))
    units = {u.code: u for u in Unit.objects.filter(code__in={p[3] for p in PEOPLE})}
    for username, full_name, title, unit_code, role in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = actions.create_user(actor=None, username=username, full_name=full_name,
                                       password=DEMO_PASSWORD, title=title, scope=Scope.system())
            created_users += 1
        if not Membership.objects.filter(user=user, unit=units[unit_code], role=role).exists():
            actions.add_membership(actor=None, user=user, unit=units[unit_code], role=role, scope=Scope.system())
        logins.append((username, full_name, str(Role(role).label), units[unit_code].name))
    return DemoResult(created_units, created_users, logins)
