"""Admin for the fund ledgers, read-only: decisions and entries are recorded on the ledger pages (which apply the
rules), and entries are never edited or deleted (a mistake is corrected by a reversing entry)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from groups.ledger.services import decision_check
from groups.models import FundEntry, MeetingDecision
from township.admin_base import ReadOnlyAdmin


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "villager_group", "short_subject", "attendance", "votes_for", "valid"]
    list_filter = ["basis", "villager_group__village__township", "villager_group__village"]
    list_select_related = ["villager_group__village__township"]
    search_fields = ["subject", "villager_group__name", "villager_group__village__name"]
    date_hierarchy = "held_on"
    fields = [
        "villager_group",
        "held_on",
        "subject",
        "basis",
        "entitled",
        "present",
        "votes_for",
        "publicised_on",
        "rule_check",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("what was decided"))
    def short_subject(self, obj):
        return obj.subject if len(obj.subject) <= 40 else obj.subject[:40] + "…"

    @admin.display(description=_("present"))
    def attendance(self, obj):
        return f"{obj.present} / {obj.entitled}（{obj.get_basis_display()}）"

    @admin.display(description=_("quorum and majority met"), boolean=True)
    def valid(self, obj):
        return not decision_check(obj)

    @admin.display(description=_("check"))
    def rule_check(self, obj):
        problems = decision_check(obj)
        if not problems:
            return _("Quorum and majority met: entries may cite it.")
        return format_html('<span class="warn">{}</span>', " ".join(problems))


@admin.register(FundEntry)
class FundEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_date",
        "villager_group",
        "direction",
        "amount",
        "category",
        "counterparty",
        "decision",
        "reverses",
        "party_group",
    ]
    list_filter = ["direction", "category", "villager_group__village__township", "villager_group__village"]
    list_select_related = ["villager_group__village", "decision", "reverses", "party_group"]
    search_fields = ["purpose", "counterparty", "villager_group__name", "villager_group__village__name"]
    date_hierarchy = "entry_date"
    fields = [
        "villager_group",
        "party_group",
        "entry_date",
        "direction",
        "amount",
        "category",
        "counterparty",
        "purpose",
        "decision",
        "reverses",
        "ledger_link",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("ledger"))
    def ledger_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("funds:entry", args=[obj.pk]), _("Open in the ledger"))
