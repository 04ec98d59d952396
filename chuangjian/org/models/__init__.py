from chuangjian.org.models.people import ApiToken, Membership, Role, User
from chuangjian.org.models.units import Division, Unit, UnitSuccession, UnitVersion, pinyin_key

__all__ = ["ApiToken", "Division", "Membership", "Role", "Unit", "UnitSuccession", "UnitVersion",
           "User", "pinyin_key"]
