from django.urls import path

from habpps.conventions.delegation import views

app_name = "delegation"

urlpatterns = [
    path("", views.DelegationHomeView.as_view(), name="home"),
    path("comptes/nouveau/", views.AccountCreateView.as_view(), name="account-create"),
    path("comptes/<int:pk>/statut/<str:status>/", views.AccountStatusView.as_view(), name="account-status"),
    path("groupes/nouveau/", views.GroupCreateView.as_view(), name="group-create"),
    path("groupes/<int:pk>/", views.GroupView.as_view(), name="group"),
    path("groupes/<int:pk>/profils/<int:role_pk>/periode/", views.ProfileWindowView.as_view(), name="profile-window"),
    path("groupes/<int:pk>/<slug:action>/", views.GroupActionView.as_view(), name="group-action"),
    path("delegataires/<int:pk>/", views.PerimeterView.as_view(), name="perimeter"),
]
