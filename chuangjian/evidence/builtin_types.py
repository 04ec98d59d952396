"""The activity types every deployment starts with (administrators add more).

Each names the data elements it counts toward (活动台账统计) and the words that tie
it to the standards' required evidence (佐证材料): a 例会 proves 例会记录, a 文体活动
proves 活动照片 for 小型文体活动 because it counts toward cultural_sports_activities.
Kept as plain data so the data migration and the tests read the same list.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class BuiltinType(TypedDict):
    code: str
    name: str
    is_meeting: bool
    elements: list[str]
    keywords: list[str]


def _t(code: str, name: str, elements: list[str] | None = None, keywords: list[str] | None = None,
       *, meeting: bool = False) -> BuiltinType:
    return {"code": code, "name": name, "is_meeting": meeting, "elements": elements or [],
            "keywords": keywords or []}


BUILTIN_TYPES: list[BuiltinType] = [
    _t("culture_sports", "文体活动", ["cultural_sports_activities"],
       ["文体", "文化活动", "文艺", "体育", "歌咏", "活动场所"]),
    _t("moral_lecture", "道德讲堂", ["moral_lecture_sessions"], ["道德讲堂", "讲堂"]),
    _t("moral_month", "公民道德建设月活动", ["moral_month_activities"], ["道德建设月"]),
    _t("ethnic_unity_month", "民族团结教育月活动", ["ethnic_unity_month_activities"],
       ["民族团结"]),
    _t("moral_practice", "道德实践活动", ["moral_practice_activities"],
       ["送温暖", "献爱心", "助学", "助残", "扶贫", "献血", "道德实践"]),
    _t("volunteer", "志愿服务", [], ["志愿", "志愿者", "志愿服务"]),
    _t("publicity", "宣传", [], ["宣传", "宣传资料", "宣传记录", "宣传教育", "标语", "展板"]),
    _t("training", "培训", [], ["培训", "训练", "上岗培训", "培训班"]),
    _t("regular_meeting", "例会", [], ["例会", "会议记录"], meeting=True),
    _t("special_meeting", "专题会", [], ["专题会", "会议记录", "部署"], meeting=True),
    _t("field_meeting", "现场会", [], ["现场会"], meeting=True),
    _t("wudu_field_meeting", "创无毒现场会", ["wudu_field_meetings"], ["现场会", "无毒"],
       meeting=True),
    _t("anti_drug_day", "6·26 禁毒日", ["anti_drug_day_events"], ["6·26", "626", "禁毒日", "禁毒"]),
    _t("school_drug_lesson", "开学禁毒课", [], ["开学", "禁毒课", "学校", "禁毒"]),
    _t("countryside_drug_education", "三下乡禁毒教育", ["countryside_drug_education_events"],
       ["三下乡", "禁毒"]),
    _t("party_drug_education", "党员干部禁毒教育", ["party_member_drug_education_events"],
       ["党员", "冬训", "禁毒"]),
    _t("religious_drug_education", "宗教神职人员禁毒宣传", ["religious_staff_education_events"],
       ["宗教", "禁毒"]),
    _t("health_lecture", "健康讲座", [], ["健康讲座", "讲座", "健康教育", "防病"]),
    _t("health_song_contest", "健康主题歌咏比赛", ["health_song_contests"], ["歌咏", "健康城市"]),
    _t("health_evaluation", "群众看评健康社区活动", ["health_evaluation_events"],
       ["看、评", "群众评议", "健康社区"]),
    _t("safety_check", "安全检查", [], ["安全检查", "检查记录", "巡查"]),
    _t("patrol", "治安巡逻", [], ["巡逻", "治安巡逻"]),
    _t("fire_drill", "消防宣传与演练", [], ["消防", "演练", "训练记录"]),
    _t("science_law", "科普与法制教育", [], ["科学知识", "法律", "普法", "科普", "讲座"]),
    _t("joint_building", "共建活动", [], ["共建"]),
    _t("other", "其他活动", [], []),
]

# Data elements the activity register provides to the assessment (see sources.py).
# A type may count toward any of these; the set is fixed in code because the
# source registry is built once at start-up.
ACTIVITY_ELEMENTS: dict[str, str | Promise] = {
    "cultural_sports_activities": _("登记的小型文体活动次数"),
    "moral_lecture_sessions": _("道德讲堂场次"),
    "moral_month_activities": _("公民道德建设月活动次数"),
    "ethnic_unity_month_activities": _("民族团结教育月活动次数"),
    "moral_practice_activities": _("道德实践活动次数（送温暖、献爱心等）"),
    "anti_drug_day_events": _("“6·26”禁毒宣传活动次数"),
    "countryside_drug_education_events": _("“三下乡”禁毒教育活动次数"),
    "party_member_drug_education_events": _("党员干部禁毒教育次数"),
    "religious_staff_education_events": _("宗教神职人员禁毒宣传教育次数"),
    "wudu_field_meetings": _("创无毒现场会次数"),
    "health_song_contests": _("健康城市主题歌咏比赛次数"),
    "health_evaluation_events": _("群众看、评健康社区建设成果活动次数"),
}


def ensure_builtin_types(model: Any = None) -> int:
    """Create the built-in activity types that are missing; returns how many were created.

    Existing rows are left as they are: an administrator may have renamed or retired one.

    Called by the data migration (with the historical model), by the demo and by tests,
    since a test that flushes the database removes what migrations seeded.
    """
    if model is None:
        from chuangjian.evidence.models import ActivityType as model
    created = 0
    for order, row in enumerate(BUILTIN_TYPES, start=1):
        _obj, new = model.objects.get_or_create(
            code=row["code"],
            defaults={"name": row["name"], "is_meeting": row["is_meeting"],
                      "elements": row["elements"], "keywords": row["keywords"],
                      "order": order * 10, "builtin": True, "active": True})
        created += int(new)
    return created
