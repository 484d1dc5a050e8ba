"""Directory of the platform's structure and its management: member states, organisations,
networks, people and their roles."""

from django.urls import path

from cicte.accounts.views.placeholder import placeholder

urlpatterns = [
    path("member-states/", placeholder, name="memberstate_list"),
    path("organisations/", placeholder, name="organization_list"),
    path("networks/", placeholder, name="network_list"),
    path("users/", placeholder, name="user_list"),
]
