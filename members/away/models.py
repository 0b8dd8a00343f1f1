"""Members working away (流动党员): where they are, since when, how to reach them, and the branch's contact log.

A spell away runs from `since` until `returned_on`; a member has at most one open spell. The rules that follow from
a spell (suggest transferring the organisational relations, flag 失联) are in `members.away.rules`, with their
sources.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core import clock, fields
from core.fields import EncryptedTextField
from members.models import PartyMember
from members.validators import validate_phone
from township.models import scoped_manager

__all__ = ["AwayContact", "AwaySpell"]


class AwaySpell(models.Model):
    member = models.ForeignKey(
        PartyMember, models.PROTECT, related_name="away_spells", verbose_name="党员", db_index=False
    )
    province = models.CharField("外出省份", max_length=20)
    city = models.CharField("外出城市", max_length=30, help_text="地级市或自治州，如：成都市、广州市、昌吉回族自治州")
    workplace = models.CharField("工作单位或务工地点", max_length=100)
    fixed_workplace = models.BooleanField("有固定工作单位", default=False)
    since = models.DateField("外出日期")
    returned_on = models.DateField("返回日期", null=True, blank=True)
    # Encrypted at rest and shown masked, as the member's own phone (PIPL art. 51).
    phone = EncryptedTextField("外出联系电话", blank=True, validators=[validate_phone])
    contact_person = models.ForeignKey(
        PartyMember,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="支部联系人",
        help_text="本支部负责与其联系的党员",
    )
    remote_participation = models.CharField(
        "参加组织生活的方式", max_length=200, blank=True, help_text="如：微信群参加支部主题党日、视频参会"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", default=clock.now)

    objects = scoped_manager("member__village")

    class Meta:
        verbose_name = "流动党员外出登记"
        verbose_name_plural = "流动党员外出登记"
        ordering = ["city", "member__name", "pk"]
        indexes = [models.Index(fields=["member", "returned_on"], name="away_member_open_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(returned_on__isnull=True),
                name="away_one_open_spell",
                violation_error_message="该党员已有一条未返回的外出登记，请先登记返回。",
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("since")),
                name="away_returned_after_since",
                violation_error_message="返回日期不能早于外出日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}（{self.province}{self.city}）"

    @property
    def phone_masked(self) -> str:
        return fields.mask_phone(self.phone)


class AwayContact(models.Model):
    """One contact between the branch and a member away."""

    class How(models.TextChoices):
        PHONE = "phone", "电话"
        WECHAT = "wechat", "微信"
        VISIT = "visit", "当面（返乡或走访）"
        LETTER = "letter", "书信"
        OTHER = "other", "其他"

    spell = models.ForeignKey(
        AwaySpell, models.PROTECT, related_name="contacts", verbose_name="外出登记", db_index=False
    )
    on = models.DateField("联系日期")
    how = models.CharField("联系方式", max_length=10, choices=How.choices)
    what = models.TextField("联系内容", max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="登记人"
    )

    objects = scoped_manager("spell__member__village")

    class Meta:
        verbose_name = "流动党员联系记录"
        verbose_name_plural = "流动党员联系记录"
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["spell", "on"], name="away_contact_spell_on_idx")]

    def __str__(self) -> str:
        return f"{self.spell.member} {self.on:%Y-%m-%d} {self.get_how_display()}"
