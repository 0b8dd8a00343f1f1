"""Forms for posts and coverage, shared by the admin inlines and the branch pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from core import clock
from groups.models import Coverage, ElectionCandidate, GroupPost

Role = GroupPost.Role


class PostForm(forms.ModelForm):
    """A post: once saved, who holds it and in which role is fixed (a new role is a new post, or an election)."""

    class Meta:
        model = GroupPost
        fields = ["party_group", "member", "role", "started_on", "ended_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("party_group", "member", "role"):
                if name in self.fields:
                    self.fields[name].disabled = True


class PostFormSet(BaseInlineFormSet):
    """Checks across the rows saved together: one leader, at most two deputies, each member once."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        active = [
            f
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("ended_on") is None
        ]
        leaders = [f for f in active if f.cleaned_data.get("role") == Role.LEADER]
        if len(leaders) > 1:
            for f in leaders[1:]:
                f.add_error("role", _("A party group has one leader; another row already names a leader."))
        deputies = [f for f in active if f.cleaned_data.get("role") == Role.DEPUTY]
        if len(deputies) > GroupPost.MAX_DEPUTIES:
            for f in deputies[GroupPost.MAX_DEPUTIES :]:
                f.add_error("role", _("A party group has one or two deputy leaders; this would be the third."))
        seen = {}
        for f in active:
            member = f.cleaned_data.get("member")
            if member is not None and member.pk in seen:
                f.add_error("member", _("%(who)s is already listed in another row.") % {"who": member.name})
            elif member is not None:
                seen[member.pk] = f
        if any(self.errors):
            return
        # Seats for deputies saved together: keep a seat already held, give new deputies the free ones.
        held = {f.instance.seat for f in deputies if f.instance.pk and f.instance.seat and "role" not in f.changed_data}
        free = iter(s for s in range(1, GroupPost.MAX_DEPUTIES + 1) if s not in held)
        for f in deputies:
            if not (f.instance.pk and f.instance.seat in held and "role" not in f.changed_data):
                f.instance.seat = next(free)


class CoverageForm(forms.ModelForm):
    class Meta:
        model = Coverage
        fields = ["party_group", "villager_group", "started_on", "ended_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("party_group", "villager_group"):
                if name in self.fields:
                    self.fields[name].disabled = True


# A party group has a dozen members or so; a number beyond this at an election is a typing mistake.
MAX_GROUP_VOTES = 500
GROUP_SIZE = {"max_value": f"一个党小组不会超过{MAX_GROUP_VOTES}名党员：请核对人数后重新输入。"}


class ElectionForm(forms.Form):
    """The election page: date and attendance; one row per member of the group follows (CandidateForm)."""

    held_on = forms.DateField(label=_("held on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    members_present = forms.IntegerField(
        label=_("members present"), min_value=0, max_value=MAX_GROUP_VOTES, error_messages=GROUP_SIZE
    )
    notes = forms.CharField(max_length=2000, label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > clock.today():
            raise ValidationError(_("An election cannot be recorded before it is held (the date is in the future)."))
        return day


class CandidateForm(forms.Form):
    """A member of the group, the office they stood for (if any) and the votes they received."""

    OFFICE_CHOICES = [("", _("did not stand"))] + list(ElectionCandidate.Office.choices)

    member_id = forms.IntegerField(widget=forms.HiddenInput)
    office = forms.ChoiceField(label=_("stood for"), choices=OFFICE_CHOICES, required=False)
    votes = forms.IntegerField(
        label=_("votes received"), min_value=0, max_value=MAX_GROUP_VOTES, required=False, error_messages=GROUP_SIZE
    )

    def clean(self):
        data = super().clean()
        if data.get("office") and data.get("votes") is None:
            self.add_error("votes", _("Enter the votes this candidate received."))
        return data


CandidateFormSet = forms.formset_factory(CandidateForm, extra=0)


class AppointmentForm(forms.Form):
    """The branch appoints the leader and one or two deputies (支部工作条例): its decision, number and date."""

    decided_on = forms.DateField(
        label="决定日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写支部作出决定的日期。", "invalid": "日期格式不对：请用日历选择日期。"},
    )
    decided_by = forms.CharField(
        label="决定机关",
        max_length=100,
        help_text="如：中共罗紫村支部委员会。",
        error_messages={"required": "请写明作出决定的机关，如：中共罗紫村支部委员会。"},
    )
    document_number = forms.CharField(
        label="决定文号",
        max_length=50,
        help_text="如：罗紫支〔2027〕3号。",
        error_messages={"required": "请写明支部决定的文号，如：罗紫支〔2027〕3号。"},
    )
    leader = forms.ModelChoiceField(
        label="组长",
        queryset=None,
        empty_label="请选择组长",
        error_messages={"required": "请选择委派的组长。", "invalid_choice": "只能委派本组的正式党员：请重新选择。"},
    )
    deputies = forms.ModelMultipleChoiceField(
        label="副组长（一至两名）",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="只列本组正式党员：预备党员没有选举权和被选举权（党章第七条）。",
    )
    notes = forms.CharField(label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = members
        self.fields["deputies"].queryset = members

    def clean_decided_on(self):
        day = self.cleaned_data["decided_on"]
        if day > clock.today():
            raise ValidationError("决定日期不能晚于今天：请填写支部作出决定的日期。")
        return day

    def clean_deputies(self):
        chosen = list(self.cleaned_data["deputies"])
        if len(chosen) > GroupPost.MAX_DEPUTIES:
            raise ValidationError("党小组设副组长一至两名：请少选一名。")
        return chosen
