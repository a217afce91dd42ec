"""factory_boy factories sharing one zh_CN Faker (ARCHITECTURE: tests/factories/)."""
import factory
from faker import Faker

from accounts.models import OrgUnit, User

fake = Faker("zh_CN")
factory.Faker._DEFAULT_LOCALE = "zh_CN"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Faker("city_name")
    level = OrgUnit.Level.UNIT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name")
    mobile = factory.Faker("phone_number")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "demo12345")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            from accounts.services import user_set_roles

            user_set_roles(user=self, roles=list(extracted))


# ---- customer file ----------------------------------------------------------------------------
from decimal import Decimal  # noqa: E402

from groupclients.models import Contact, GroupCustomer, Industry, Member, OrganisationType, Site  # noqa: E402


class GroupFactory(factory.django.DjangoModelFactory):
    """An active group with every core field (GC-1)."""

    class Meta:
        model = GroupCustomer

    code = factory.Sequence(lambda n: f"T{n:07d}")
    name = factory.Sequence(lambda n: f"{fake.company()}{n}")
    org_type = factory.LazyFunction(lambda: OrganisationType.objects.order_by("pk").first())
    industry = factory.LazyFunction(lambda: Industry.objects.order_by("pk").first())
    address = factory.Faker("street_address")
    phone = factory.Sequence(lambda n: f"0571-{80000000 + n}")
    employee_count = 100
    annual_revenue = Decimal("1000")
    grade = "B"
    status = "active"
    unit = None
    account_manager = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from groupclients.services import group_refresh_quality

        obj = super()._create(model_class, *args, **kwargs)
        group_refresh_quality([obj.pk])
        obj.refresh_from_db()
        return obj


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"站点{n}")
    address = factory.Faker("street_address")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Faker("name")
    type = Contact.Type.CONTACT
    mobile = factory.Sequence(lambda n: f"137{n:08d}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    mobile = factory.Sequence(lambda n: f"136{n:08d}")
    name = factory.Faker("name")
