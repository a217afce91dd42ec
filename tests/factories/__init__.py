"""factory_boy factories sharing one zh_CN Faker (ARCHITECTURE: tests/factories/)."""
import factory
from faker import Faker

from accounts.models import OrgUnit, Role, User

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
