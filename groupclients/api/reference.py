"""Reference lists integrators name things by (issue 12 item 12): products (GC-6), organisation types
and industries (GC-1). Read-only for every signed-in role; looked up by code, and the code is accepted
wherever the API takes one of these ids (portal.api.fields.CodeOrIdField)."""
from rest_framework import mixins, serializers, viewsets

from ..models import Industry, OrganisationType, Product


class ReferenceSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ProductSerializer(ReferenceSerializer):
    category = serializers.CharField(read_only=True)


class _ReferenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_.-]+"
    pagination_class = None  # short controlled lists: one answer
    filter_backends = []
    serializer_class = ReferenceSerializer
    model = None

    def get_queryset(self):
        return self.model.objects.filter(active=True).order_by("sort", "code")


class ProductViewSet(_ReferenceViewSet):
    """Products a group can subscribe to and a ticket is opened for (GC-6, TKT-1)."""

    model = Product
    serializer_class = ProductSerializer
    queryset = Product.objects.none()


class OrganisationTypeViewSet(_ReferenceViewSet):
    """Organisation types (GC-1, administrator-editable)."""

    model = OrganisationType
    queryset = OrganisationType.objects.none()


class IndustryViewSet(_ReferenceViewSet):
    """Industries (GC-1, administrator-editable)."""

    model = Industry
    queryset = Industry.objects.none()
