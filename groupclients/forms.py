from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, User

from .models import CompetitorContract, Contact, GroupCustomer, Member, Opportunity, Site, Subscription

CHANNELS = [("counter", _("Counter")), ("10086", "10086"), ("sms_hall", _("SMS hall")), ("online", _("Online hall"))]


def _units():
    return OrgUnit.objects.filter(level=OrgUnit.Level.UNIT).select_related("parent")


def _staff(role: str):
    return User.objects.filter(is_active=True, roles__code=role).select_related("unit").order_by("unit__code", "username")


class _Crispy:
    submit_label = _("Save")

    def _helper(self, layout=None):
        self.helper = FormHelper()
        self.helper.form_tag = True
        if layout is not None:
            self.helper.layout = layout
        self.helper.add_input(Submit("submit", self.submit_label))


class GroupForm(_Crispy, forms.ModelForm):
    preferred_channels = forms.MultipleChoiceField(label=_("Preferred channels"), choices=CHANNELS,
                                                   required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = GroupCustomer
        fields = ["name", "org_type", "industry", "address", "phone", "employee_count", "annual_revenue",
                  "grade", "unit", "account_manager", "anniversary", "postcode", "website", "preferred_channels",
                  "member_cap", "registered_capital", "annual_profit", "telecom_budget", "mobile_count",
                  "informatisation_notes"]
        widgets = {"anniversary": forms.DateInput(attrs={"type": "date"}),
                   "informatisation_notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the units and AMs the user may give a group (issue 12 item 2); the service checks again.
        from .services.ownership import am_choices, unit_choices

        creating = not self.instance.pk
        if user is not None:
            self.fields["unit"].queryset = unit_choices(user, creating=creating,
                                                        current=None if creating else self.instance.unit)
            self.fields["account_manager"].queryset = am_choices(
                user, creating=creating, current=None if creating else self.instance.account_manager)
        else:
            self.fields["unit"].queryset = _units()
            self.fields["account_manager"].queryset = _staff("am")
        self.fields["org_type"].queryset = self.fields["org_type"].queryset.filter(active=True)
        self.fields["industry"].queryset = self.fields["industry"].queryset.filter(active=True)
        if user is not None and user.role_codes == {"am"} and not self.instance.pk:
            self.fields["account_manager"].initial = user.pk
            self.fields["unit"].initial = user.unit_id
        self._helper(Layout(
            Fieldset(_("Core fields (required before the group can be active)"),
                     Row(Column("name", css_class="col-md-6"), Column("org_type", css_class="col-md-3"),
                         Column("industry", css_class="col-md-3")),
                     Row(Column("address", css_class="col-md-6"), Column("phone", css_class="col-md-2"),
                         Column("employee_count", css_class="col-md-2"), Column("annual_revenue", css_class="col-md-2"))),
            Fieldset(_("Ownership"),
                     Row(Column("grade", css_class="col-md-2"), Column("unit", css_class="col-md-5"),
                         Column("account_manager", css_class="col-md-5"))),
            Fieldset(_("Profile"),
                     Row(Column("anniversary", css_class="col-md-3"), Column("postcode", css_class="col-md-3"),
                         Column("website", css_class="col-md-6")),
                     "preferred_channels",
                     Row(Column("member_cap", css_class="col-md-3"), Column("mobile_count", css_class="col-md-3"),
                         Column("registered_capital", css_class="col-md-2"), Column("annual_profit", css_class="col-md-2"),
                         Column("telecom_budget", css_class="col-md-2")),
                     "informatisation_notes"),
        ))

    def clean(self):
        data = super().clean()
        # GC-1 for groups already active: the model says which core field is missing
        self.instance.status = self.instance.status or GroupCustomer.Status.PROSPECT
        return data


class StatusForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=GroupCustomer.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ContactForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "type", "is_primary", "department", "post", "mobile", "office_phone", "email",
                  "birthday", "id_number", "counterpart", "counterpart_level", "do_not_disturb", "no_surveys",
                  "vip_tier", "vip_designated", "is_gotone", "status", "notes"]
        widgets = {"birthday": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .services.ownership import counterpart_choices

        # CT-4: staff of the group's branch or the province (the service checks the same rule)
        self.fields["counterpart"].queryset = counterpart_choices(
            self.instance.group if self.instance.group_id else None)
        if not self.instance.pk:
            self.fields.pop("status")
        self._helper(Layout(
            Row(Column("name", css_class="col-md-4"), Column("type", css_class="col-md-4"),
                Column("is_primary", css_class="col-md-4 pt-4")),
            Row(Column("department", css_class="col-md-4"), Column("post", css_class="col-md-4"),
                *( [Column("status", css_class="col-md-4")] if "status" in self.fields else [])),
            Row(Column("mobile", css_class="col-md-4"), Column("office_phone", css_class="col-md-4"),
                Column("email", css_class="col-md-4")),
            Row(Column("birthday", css_class="col-md-4"), Column("id_number", css_class="col-md-4")),
            Fieldset(_("Our counterpart (CT-4)"),
                     Row(Column("counterpart", css_class="col-md-6"), Column("counterpart_level", css_class="col-md-6"))),
            Fieldset(_("VIP and care"),
                     Row(Column("vip_tier", css_class="col-md-3"), Column("vip_designated", css_class="col-md-3 pt-4"),
                         Column("is_gotone", css_class="col-md-3 pt-4")),
                     Row(Column("do_not_disturb", css_class="col-md-6"), Column("no_surveys", css_class="col-md-6"))),
            "notes",
        ))


class SiteForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "address", "unit", "local_am", "local_mm", "is_headquarters"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()
        self.fields["local_am"].queryset = _staff("am")
        self.fields["local_mm"].queryset = _staff("mm")
        self._helper()


class MemberForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Member
        fields = ["mobile", "name", "product", "vip_tier", "billing_type", "contact", "status", "joined_on"]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        if group is not None:
            self.fields["contact"].queryset = group.contacts.all()
        self._helper()


class SubscriptionForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["product", "quantity", "bandwidth", "monthly_fee", "started_on"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class ContractForm(_Crispy, forms.ModelForm):
    class Meta:
        model = CompetitorContract
        fields = ["operator", "category", "quantity", "tariff", "start_on", "end_on", "notes"]
        widgets = {"start_on": forms.DateInput(attrs={"type": "date"}), "end_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class OpportunityForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = ["title", "category", "employees", "expected_sales", "importance", "source", "need", "team"]
        widgets = {"need": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .services.ownership import team_choices

        # staff with a role; the service refuses anyone outside the group's branch or the province (GC-7)
        self.fields["team"].queryset = team_choices(None)
        self.fields["team"].required = False
        self._helper()


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=[])
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = f.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if f.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."))
        return f
