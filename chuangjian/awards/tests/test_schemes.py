"""Award schemes are data: every built-in one loads, quotes its plan verbatim, and a bad
file is refused in Chinese naming the field."""

from __future__ import annotations

import pytest

from chuangjian.awards.schemes import SchemeError, builtin, parse

GOOD = """
code: test_jiating
name: 测试家庭
campaign: 健康社区
nominee: household
nominated_by: [units]
quotas:
  - {level: street, total: 5, per_unit: 2}
eligibility:
  - {rule: in_family_register, kind: healthy, years: 1}
stages: {nominate_days: 14, vote_days: 7, publicity_days: 5}
weights: {votes: 60, scores: 40}
source: {plan: 篇13, quote: "其中有10%的家庭被评为市、区、镇的健康家庭"}
"""


def test_the_builtin_schemes_cover_the_plans_titles() -> None:
    schemes = builtin()
    assert {"jiankang_jiating", "jiankang_danwei", "jiankang_zhiyuanzhe", "jiankang_shequ",
            "xuexixing_jiating", "daode_mofan", "wudu_xianjin_danwei", "wenming_danwei",
            "wenming_shequ"} <= set(schemes)
    jiating = schemes["jiankang_jiating"]
    street, county = jiating.quota_at("street"), jiating.quota_at("county")
    assert street is not None and street.total == 10 and street.per_unit == 3
    assert county is not None and county.ratio == "1:1" and county.of == "city"
    assert {s.source.plan for s in schemes.values()} >= {"篇1", "篇2", "篇3", "篇4", "篇12", "篇13"}


def test_a_good_scheme_loads() -> None:
    assert parse(GOOD, name="t.yaml").name == "测试家庭"


@pytest.mark.parametrize(("change", "message"), [
    (("其中有10%的家庭", "其中有20%的家庭"), "source.quote：引文在篇13中找不到"),
    (("votes: 60", "votes: 70"), "weights：投票与评分的权重之和应为 100"),
    (("total: 5, per_unit: 2", "ratio: \"1:0\", of: city"), "quotas.0.ratio：比例应写成「1:1」"),
    (("total: 5, per_unit: 2", "ratio: \"1:1\""), "quotas.0.of：比例要写明相对哪一级"),
    (("nominee: household", "nominee: unit"), "eligibility.0.rule：此条件只适用于家庭"),
    (("nominee: household", "nominee: tree"), "nominee：取值不在允许的范围内"),
    (("code: test_jiating", "code: test_jiating\nextra: 1"), "extra：不认识的键"),
    (("code: test_jiating", "code: &a test_jiating"), "不允许使用锚点和别名"),
])
def test_a_bad_scheme_is_refused_naming_the_field(change: tuple[str, str], message: str) -> None:
    with pytest.raises(SchemeError) as error:
        parse(GOOD.replace(*change), name="t.yaml")
    assert any(message in m and m.startswith("t.yaml：") for m in error.value.messages), \
        error.value.messages
