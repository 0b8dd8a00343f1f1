"""The choices of the national party-member information system (全国党员管理信息系统) for the fields of its
党员基本信息 record, and how a month-only date (1970年3月) is kept and shown.

The codes are the national ones (民族: GB 3304; 学历: the system's list), so a file written in either words or codes
reads back; the labels are the words the national forms print.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.words import day_cn, month_cn

# GB 3304 民族 (the 56 nationalities), in the standard's order and codes.
ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)  # fmt: skip
ETHNICITY_CHOICES = [(f"{i:02d}", name) for i, name in enumerate(ETHNICITIES, start=1)]


class Education(models.TextChoices):
    """学历, as the national system lists it (highest completed)."""

    DOCTOR = "11", "博士研究生"
    MASTER = "14", "硕士研究生"
    BACHELOR = "21", "大学本科"
    COLLEGE = "31", "大学专科"
    SECONDARY_SPECIALISED = "41", "中等专科"
    VOCATIONAL_HIGH = "44", "职业高中"
    TECHNICAL_SCHOOL = "47", "技工学校"
    HIGH_SCHOOL = "61", "普通高中"
    JUNIOR = "71", "初中"
    PRIMARY = "81", "小学及以下"


class Category(models.TextChoices):
    """人员类别 (the member's occupation class in the national record)."""

    FARMER = "farmer", "农牧渔民"
    WORKER = "worker", "企业职工"
    TECHNICIAN = "technician", "专业技术人员"
    MANAGER = "manager", "企业管理人员"
    OFFICIAL = "official", "党政机关工作人员"
    INSTITUTION = "institution", "事业单位人员"
    SELF_EMPLOYED = "self_employed", "个体工商户"
    STUDENT = "student", "学生"
    RETIRED = "retired", "离退休人员"
    OTHER = "other", "其他"


class Precision(models.TextChoices):
    """How much of a date is known: the day, or only the month (the national record often has 1970.03)."""

    DAY = "day", _("to the day")
    MONTH = "month", _("to the month")


def date_shown(day: datetime.date | None, precision: str = Precision.DAY) -> str:
    """1970年3月 for a month-only date, 1970年3月1日 otherwise, "" for none."""
    if day is None:
        return ""
    return month_cn(day) if precision == Precision.MONTH else day_cn(day)


def date_written(day: datetime.date | None, precision: str = Precision.DAY) -> str:
    """As the national files write it: 1970.03 for a month, 1970.03.01 for a day."""
    if day is None:
        return ""
    if precision == Precision.MONTH:
        return f"{day.year}.{day.month:02d}"
    return f"{day.year}.{day.month:02d}.{day.day:02d}"
