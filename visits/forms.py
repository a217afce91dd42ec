from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from groupclients.models import Contact

from .models import PlannedVisit, VisitLog


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitLog.Kind.choices, initial=VisitLog.Kind.ROUTINE)
    contacts = forms.ModelMultipleChoiceField(label=_("Contacts met"), queryset=Contact.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    companions = forms.ModelMultipleChoiceField(label=_("Companions (supervisor, MM)"), required=False,
                                                queryset=User.objects.none())
    purposes = forms.MultipleChoiceField(label=_("Purposes"), choices=VisitLog.Purpose.choices,
                                         widget=forms.CheckboxSelectMultiple)
    started_at = forms.DateTimeField(label=_("Start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ended_at = forms.DateTimeField(label=_("End"), required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}))
    next_visit_on = forms.DateField(label=_("Agreed next visit"), widget=forms.DateInput(attrs={"type": "date"}))
    attachments = MultipleFileField(label=_("Attachments (photos, completion form)"), required=False)
    acceptance_passed = forms.NullBooleanField(label=_("Acceptance passed"), required=False)
    nonconformity_open = forms.BooleanField(label=_("A non-conformity is still open"), required=False)
    fault_cause = forms.CharField(label=_("Fault cause"), required=False, max_length=300)
    fault_repair = forms.CharField(label=_("Repair done"), required=False, max_length=300)
    customer_assessment = forms.CharField(label=_("Customer's assessment"), required=False, max_length=300)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["contacts"].queryset = group.contacts.filter(status=Contact.Status.ACTIVE).order_by("type", "name")
        from .services import companion_candidates

        self.fields["companions"].queryset = companion_candidates(group)  # the service checks the same rule
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["started_at"].initial = now.strftime("%Y-%m-%dT%H:%M")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("kind", css_class="col-md-4"), Column(Field("started_at"), css_class="col-md-4"),
                Column("ended_at", css_class="col-md-4")),
            Row(Column("contacts", css_class="col-md-6"), Column("purposes", css_class="col-md-6")),
            "companions", "notes",
            Row(Column("next_visit_on", css_class="col-md-4"), Column("attachments", css_class="col-md-8")),
            Fieldset(_("Project acceptance (VIS-4)"),
                     Row(Column("acceptance_passed", css_class="col-md-6"),
                         Column("nonconformity_open", css_class="col-md-6 pt-4")), css_class="project-fields"),
            Fieldset(_("Fault joint visit (TKT-6)"),
                     Row(Column("fault_cause"), Column("fault_repair"), Column("customer_assessment")),
                     css_class="fault-fields"),
        )
        self.helper.add_input(Submit("submit", _("Save visit log")))


class VisitEditForm(forms.ModelForm):
    purposes = forms.MultipleChoiceField(label=_("Purposes"), choices=VisitLog.Purpose.choices,
                                         widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = VisitLog
        fields = ["purposes", "notes", "next_visit_on", "ended_at", "acceptance_passed", "nonconformity_open",
                  "fault_cause", "fault_repair", "customer_assessment"]
        widgets = {"next_visit_on": forms.DateInput(attrs={"type": "date"}),
                   "ended_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}


class PlanForm(forms.ModelForm):
    class Meta:
        model = PlannedVisit
        fields = ["group", "planned_on", "note"]
        widgets = {"planned_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
