"""The collective project form (集体项目), shared by the branch pages and the admin.

The village (and the party group looking after the villager group) are set here from the chosen villager group, never
taken from the request; the fund entries offered are those of that villager group only.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from activity.models import Project
from core.forms import YuanField
from groups.ledger.forms import date_input
from groups.ledger.services import ZERO, entry_label
from groups.models import MAX_POPULATION, FundEntry, VillagerGroup


class FundEntryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: FundEntry) -> str:
        return entry_label(obj)


class VillagerGroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: VillagerGroup) -> str:
        return f"{obj.village.name} · {obj.name}"


class ProjectForm(forms.ModelForm):
    """A project of one villager group. Pass `user` to limit the villager groups to the user's reach (the admin
    limits them through its own scoped choices and sets `user` on the form class)."""

    user = None

    villager_group = VillagerGroupChoiceField(label=_("villager group"), queryset=VillagerGroup.objects.none())
    investment = YuanField(label=_("investment (yuan)"), allow_zero=True, initial="0", required=False)
    income = YuanField(label=_("income (yuan)"), allow_zero=True, initial="0", required=False)
    fund_entries = FundEntryChoiceField(
        label=_("linked fund entries"),
        queryset=FundEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Entries of the chosen villager group's ledger that belong to this project."),
    )

    class Meta:
        model = Project
        fields = [
            "villager_group",
            "name",
            "location",
            "started_on",
            "finished_on",
            "investment",
            "income",
            "local_jobs",
            "description",
            "fund_entries",
        ]
        widgets = {
            "started_on": date_input(),
            "finished_on": date_input(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user or self.user
        jobs = self.fields.get("local_jobs")  # the admin shows a finished project's fields read-only
        if jobs is not None:
            jobs.max_value = MAX_POPULATION
            jobs.widget.attrs["max"] = MAX_POPULATION
            too_many = f"一个村民小组的项目不会用工超过{MAX_POPULATION}人：请核对后重新输入。"
            jobs.validators.append(MaxValueValidator(MAX_POPULATION, too_many))
        field = self.fields["villager_group"]
        if self.user is not None:
            field.queryset = VillagerGroup.objects.visible_to(self.user).select_related("village")
        else:
            field.queryset = VillagerGroup.objects.select_related("village")
        self.chosen_villager_group = self._chosen_villager_group()
        entries = self.fields["fund_entries"]
        if self.chosen_villager_group is not None:
            entries.queryset = FundEntry.objects.filter(villager_group=self.chosen_villager_group).order_by(
                "entry_date", "pk"
            )

    def _chosen_villager_group(self) -> VillagerGroup | None:
        """The villager group whose entries may be linked: the one submitted (if in reach), else the saved one, else
        the one the page was opened for."""
        field = self.fields["villager_group"]
        raw = None
        if self.is_bound:
            raw = self.data.get(self.add_prefix("villager_group"))
        elif self.instance.villager_group_id:
            raw = self.instance.villager_group_id
        else:
            raw = self.initial.get("villager_group")
        if raw in (None, ""):
            return None
        try:
            return field.queryset.get(pk=getattr(raw, "pk", raw))
        except (VillagerGroup.DoesNotExist, ValueError, TypeError):
            return None

    def clean_investment(self):
        return self.cleaned_data.get("investment") or ZERO

    def clean_income(self):
        return self.cleaned_data.get("income") or ZERO

    def clean(self):
        data = super().clean()
        vg = data.get("villager_group")
        started, finished = data.get("started_on"), data.get("finished_on")
        if started and finished and finished < started:
            self.add_error("finished_on", _("A project cannot finish before it starts."))
        if vg is not None:
            foreign = [e for e in data.get("fund_entries") or [] if e.villager_group_id != vg.pk]
            if foreign:
                self.add_error("fund_entries", _("Only entries of the chosen villager group's ledger can be linked."))
            # Set by the server from the villager group, never from what was posted.
            self.instance.village = vg.village
            # The group that looked after it when the project started; failing that, the one of its current coverage.
            on = started or self.instance.started_on
            found = vg.party_group_on(on) if on is not None else None
            self.instance.party_group = found or vg.current_party_group()
        return data
