"""A security event's detail as a person reads it: 原因：三员分离 rather than reason: separation_of_duties.

Events keep their detail as stored keys and codes (stable for searching and for the log server); the auditor's page
and its Excel export show them through `detail_text`, with a Chinese label for each key and a word for each code.
A key or code not listed here is shown as it is.
"""
from __future__ import annotations

from django.utils.translation import gettext

KEY_LABELS = {
    "reason": "原因",
    "role": "角色",
    "scope": "范围",
    "old": "原来",
    "new": "现在",
    "account": "账号编号",
    "created": "新建",
    "changed": "改动",
    "is_active": "启用",
    "is_staff": "可进后台",
    "is_superuser": "系统管理员",
    "groups": "用户组",
    "permissions": "权限",
    "add": "增加",
    "remove": "去掉",
    "clear": "清空",
    "export": "导出内容",
    "file": "文件",
    "filename": "文件名",
    "filters": "筛选条件",
    "what": "导入内容",
    "update": "更新",
    "unchanged": "未变",
    "bonuses": "连续优秀奖励",
    "reserve": "后备人选",
    "removed": "撤销条数",
    "fields": "显示的项目",
    "id_number": "身份证号",
    "phone": "联系电话",
    "second_factor": "第二步验证",
    "step": "步骤",
    "failures": "失败次数",
    "set_by": "设置人",
    "days": "天数",
    "last_login": "最近登录",
    "action": "事件",
    "username": "账号",
    "since": "起始日期",
    "until": "截止日期",
    "ip": "地址",
    "how": "方式",
    "address": "被锁定的地址",
    "by": "操作人",
    "request_id": "授权申请编号",
    "requested_by": "申请人",
    "grant": "授权内容",
    "username_locked": "被锁定的账号",
}
VALUE_WORDS = {
    True: "是",
    False: "否",
    None: "无",
    "separation_of_duties": "三员分离：该角色不看业务数据",
    "county_viewer": "县级查看员",
    "township_staff": "乡镇工作人员",
    "branch_secretary": "村支部书记",
    "group_leader": "党小组组长",
    "auditor": "安全审计员",
    "account_admin": "账号管理员",
    "pending": "待验证",
    "totp": "手机动态口令",
    "recovery": "恢复码",
    "administrator": "管理员",
    "owner": "本人",
    "unused": "长期未使用",
    "idle": "长时间未操作",
    "too_long": "登录时间过长",
    "locked out": "已锁定",
    "recovery code": "恢复码",
    "phone app": "手机动态口令",
    "verify": "输入动态口令",
    "setup": "设置手机动态口令",
    "award_report": "评优表彰报表",
    "appraisal_scores": "党小组考核得分",
    "branch_appraisal": "支部年终考核",
    "member_roster": "党员名册",
    "fund_disclosure": "集体经费公示",
    "security_events": "安全事件",
    "second factor": "本人用手机验证码",
    "account administrator": "账号管理员",
    "self": "本人",
    "unlock": "用验证码解除锁定",
    "credentials_of_protected_role": "三员：账号管理员不能重置审计员或其他管理员的密码和验证方式",
}


def label(key) -> str:
    return KEY_LABELS.get(key, str(key))


def value_text(value) -> str:
    """A stored value in words: nested keys labelled, lists joined with 、, codes and booleans as words."""
    if isinstance(value, dict):
        return "，".join(f"{label(k)}：{value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value) if value else "无"
    if isinstance(value, bool) or value is None:
        return VALUE_WORDS[value]
    if isinstance(value, str):
        if " | " in value:  # a permission as Django names it: 党员 | 党员 | may see full ID and phone numbers
            *where, name = value.split(" | ")
            return " | ".join([*where, gettext(name)])
        return VALUE_WORDS.get(value, value)
    return str(value)


def object_type_label(object_type: str) -> str:
    """"groups.partygroup" → 党小组 (the model's name), or the stored text when no such model is installed."""
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def detail_lines(detail: dict | None) -> list[tuple[str, str]]:
    """(label, text) for each item of an event's detail."""
    return [(label(k), value_text(v)) for k, v in (detail or {}).items()]


def detail_text(detail: dict | None) -> str:
    """The whole detail on one line, for the Excel export: 原因：长期未使用；天数：90."""
    return "；".join(f"{k}：{v}" for k, v in detail_lines(detail))
