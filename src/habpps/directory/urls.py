from django.urls import path

from habpps.directory.views import (
    accounts,
    catalogue,
    conditions,
    deployment,
    funds,
    groups,
    partners,
    scope,
    windows,
)

app_name = "directory"

STATUS = "<str:status>/"

urlpatterns = [
    path("caisses/", funds.FundListView.as_view(), name="fund-list"),
    path("caisses/nouvelle/", funds.FundCreateView.as_view(), name="fund-create"),
    path("caisses/<int:pk>/", funds.FundDetailView.as_view(), name="fund-detail"),
    path("caisses/<int:pk>/modifier/", funds.FundUpdateView.as_view(), name="fund-update"),
    path("caisses/<int:pk>/statut/" + STATUS, funds.FundStatusView.as_view(), name="fund-status"),
    path("services/", catalogue.ServiceListView.as_view(), name="service-list"),
    path(
        "services/<int:service_pk>/profils/nouveau/",
        catalogue.ServiceRoleCreateView.as_view(),
        name="role-create",
    ),
    path("profils/<int:pk>/", catalogue.ServiceRoleUpdateView.as_view(), name="role-update"),
    path("profils/<int:pk>/portee/", scope.RoleScopeView.as_view(), name="role-scope"),
    path("profils/<int:pk>/conditions/", conditions.RoleConditionsView.as_view(), name="role-conditions"),
    path("contraintes/", scope.ContextConstraintsView.as_view(), name="context-constraints"),
    path("profils/<int:pk>/titulaires/", accounts.RoleHoldersView.as_view(), name="role-holders"),
    path("doctrine/", catalogue.DoctrineView.as_view(), name="doctrine"),
    path("deploiement/", deployment.DeploymentView.as_view(), name="deployment"),
    path("deploiement/services/<int:pk>/", deployment.ServiceDeploymentView.as_view(), name="service-deployment"),
    path("deploiement/ouvertures/<int:pk>/retirer/", deployment.OpeningClearView.as_view(), name="opening-clear"),
    path("doctrine/types/nouveau/", catalogue.PartnerTypeCreateView.as_view(), name="partner-type-create"),
    path("partenaires/", partners.PartnerListView.as_view(), name="partner-list"),
    path("partenaires/nouveau/", partners.PartnerCreateView.as_view(), name="partner-create"),
    path("partenaires/<int:pk>/", partners.PartnerDetailView.as_view(), name="partner-detail"),
    path("partenaires/<int:pk>/modifier/", partners.PartnerUpdateView.as_view(), name="partner-update"),
    path(
        "partenaires/<int:pk>/statut/" + STATUS, partners.PartnerStatusView.as_view(), name="partner-status"
    ),
    path(
        "partenaires/<int:partner_pk>/groupes/nouveau/", groups.GroupCreateView.as_view(), name="group-create"
    ),
    path("groupes/<int:pk>/", groups.GroupDetailView.as_view(), name="group-detail"),
    path("groupes/<int:pk>/membres/", groups.GroupMemberAddView.as_view(), name="group-member-add"),
    path(
        "groupes/<int:pk>/membres/<int:account_pk>/retirer/",
        groups.GroupMemberRemoveView.as_view(),
        name="group-member-remove",
    ),
    path("groupes/<int:pk>/profils/", groups.GroupProfileAssignView.as_view(), name="group-profile-assign"),
    path(
        "groupes/<int:pk>/profils/<int:role_pk>/retirer/",
        groups.GroupProfileRemoveView.as_view(),
        name="group-profile-remove",
    ),
    path(
        "groupes/<int:pk>/profils/<int:role_pk>/periode/",
        windows.GroupProfileWindowView.as_view(),
        name="group-profile-window",
    ),
    path("groupes/<int:pk>/statut/" + STATUS, groups.GroupStatusView.as_view(), name="group-status"),
    path("comptes/<int:pk>/", accounts.AccountDetailView.as_view(), name="account-detail"),
    path("comptes/<int:pk>/debloquer/", accounts.AccountUnfreezeView.as_view(), name="account-unfreeze"),
    path(
        "comptes/<int:pk>/sessions/<int:session_pk>/fermer/",
        accounts.AccountSessionEndView.as_view(),
        name="account-session-end",
    ),
    path("comptes/<int:pk>/roles/", accounts.AccountRoleGrantView.as_view(), name="account-role-grant"),
    path(
        "comptes/<int:pk>/roles/<int:role_pk>/retirer/",
        accounts.AccountRoleRevokeView.as_view(),
        name="account-role-revoke",
    ),
    path("comptes/<int:pk>/limite-roles/", accounts.AccountLimitView.as_view(), name="account-limit"),
    path("comptes/<int:pk>/periode/", windows.AccountWindowView.as_view(), name="account-window"),
    path("comptes/<int:pk>/attributs/", conditions.AccountAttributesView.as_view(), name="account-attributes"),
    path("profils/<int:pk>/periode/", windows.RoleWindowView.as_view(), name="role-window"),
    path(
        "comptes/<int:pk>/roles/<int:role_pk>/periode/",
        windows.AccountRoleWindowView.as_view(),
        name="account-role-window",
    ),
    path("comptes/<int:pk>/statut/" + STATUS, accounts.AccountStatusView.as_view(), name="account-status"),
    path("mes-habilitations/", accounts.MyHabilitationsView.as_view(), name="my-habilitations"),
]
