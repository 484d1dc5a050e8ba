"""Directory of the platform's structure and its management: member states, organisations,
networks, people and their roles."""

from django.urls import path

from cicte.accounts.views import manage

urlpatterns = [
    path("member-states/", manage.memberstate_list, name="memberstate_list"),
    path("organisations/", manage.OrganizationListView.as_view(), name="organization_list"),
    path("organisations/new/", manage.organization_create, name="organization_create"),
    path("organisations/<int:pk>/", manage.organization_detail, name="organization_detail"),
    path("organisations/<int:pk>/edit/", manage.organization_edit, name="organization_edit"),
    path("networks/", manage.NetworkListView.as_view(), name="network_list"),
    path("networks/<slug:slug>/", manage.network_detail, name="network_detail"),
    path(
        "networks/<slug:slug>/members/add/",
        manage.network_membership_add,
        name="network_membership_add",
    ),
    path(
        "networks/<slug:slug>/members/<int:pk>/remove/",
        manage.network_membership_remove,
        name="network_membership_remove",
    ),
    path("users/", manage.UserListView.as_view(), name="user_list"),
    path("users/new/", manage.user_create, name="user_create"),
    path("users/<int:pk>/", manage.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", manage.user_edit, name="user_edit"),
    path("users/<int:pk>/roles/add/", manage.role_assign, name="role_assign"),
    path(
        "users/<int:pk>/roles/<int:assignment_pk>/revoke/",
        manage.role_revoke,
        name="role_revoke",
    ),
    path("users/<int:pk>/mfa/reset/", manage.user_mfa_reset, name="user_mfa_reset"),
]
