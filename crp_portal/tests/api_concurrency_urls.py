"""A minimal test-only viewset using VersionedUpdateMixin, until the real write endpoints of the
partner API (issue 4) are merged and wired to it."""

from django.urls import include, path
from rest_framework import permissions, routers, serializers, viewsets

from crp_portal.api_concurrency import VersionedUpdateMixin
from funding.models import Contribution


class ContributionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contribution
        fields = ["id", "reference", "status", "version"]
        read_only_fields = ["version"]


class ContributionViewSet(VersionedUpdateMixin, viewsets.ModelViewSet):
    serializer_class = ContributionSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return Contribution.objects.visible_to(self.request.user)


router = routers.SimpleRouter()
router.register("contributions", ContributionViewSet, basename="test-contribution")
urlpatterns = [path("api/test/", include(router.urls))]
