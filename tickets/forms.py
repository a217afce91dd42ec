from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from groupclients.models import Contact, Product, Site

from .models import Complaint, FaultCause, Severity, Ticket


class TicketForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site (where the fault is)"), queryset=Site.objects.none())
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.filter(active=True))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MAJOR)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    reporter_name = forms.CharField(label=_("Reporter"), max_length=50)
    callback_number = forms.RegexField(label=_("Callback number"), regex=r"^[0-9+\-() ]{5,20}$",
                                       error_messages={"invalid": _("Enter a phone number.")})

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = group.sites.select_related("unit", "local_am", "local_mm")
        self.fields["site"].label_from_instance = lambda s: f"{s.name} · {s.unit} · {s.local_am}/{s.local_mm}"
        primary = group.contacts.filter(is_primary=True).first()
        if primary:
            self.fields["reporter_name"].initial = primary.name
            self.fields["callback_number"].initial = primary.mobile


class RepairForm(forms.Form):
    cause = forms.ChoiceField(label=_("Cause"), choices=FaultCause.choices)
    repair = forms.CharField(label=_("Repair done"), max_length=300)
    am_present = forms.BooleanField(label=_("The AM came on site"), required=False)
    notified_am = forms.BooleanField(label=_("I notified the AM"), required=False, initial=True)


class AmLogForm(forms.Form):
    cause = forms.ChoiceField(label=_("Cause"), choices=FaultCause.choices)
    repair = forms.CharField(label=_("Repair done"), max_length=300)
    assessment = forms.CharField(label=_("Customer's assessment"), max_length=300)
    contacts = forms.ModelMultipleChoiceField(label=_("Contacts met"), queryset=Contact.objects.none(),
                                              required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = group.contacts.filter(status="active")


class ParticipationForm(forms.Form):
    mode = forms.ChoiceField(label=_("How the AM took part"), choices=Ticket.Participation.choices[1:])
    substitute = forms.ModelChoiceField(label=_("Substitute"), required=False,
                                        queryset=User.objects.filter(roles__code__in=["leader", "manager"]).distinct())


class ComplaintForm(forms.ModelForm):
    agreed_answer_at = forms.DateTimeField(label=_("Agreed answer time (consultation)"), required=False,
                                           widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    answer = forms.CharField(label=_("Answer given on the spot"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Complaint
        fields = ["group", "contact", "kind", "channel", "description", "resolved_on_spot"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["contact"].queryset = Contact.objects.filter(group__in=groups, status="active")
