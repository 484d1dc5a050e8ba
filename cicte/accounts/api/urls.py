"""Routes of the accounts API, under /api/."""

from typing import Any

from django.urls import path
from rest_framework.routers import DefaultRouter

from cicte.accounts.api import views


class Router(DefaultRouter):
    """The default router, whose root also lists /api/me/."""

    def get_api_root_view(self, api_urls: Any = None) -> Any:
        api_root_dict = {"me": "api-me"}
        for prefix, _viewset, basename in self.registry:
            api_root_dict[prefix] = self.routes[0].name.format(basename=basename)
        return self.APIRootView.as_view(api_root_dict=api_root_dict)


router = Router()
router.register("member-states", views.MemberStateViewSet, basename="memberstate")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("networks", views.NetworkViewSet, basename="network")
router.register(
    "organization-memberships",
    views.OrganizationMembershipViewSet,
    basename="organizationmembership",
)
router.register("users", views.UserViewSet, basename="user")
router.register("role-assignments", views.RoleAssignmentViewSet, basename="roleassignment")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
