from django.urls import path

from habpps.sso.views import clients, example

app_name = "sso"

urlpatterns = [
    path("services/", clients.ClientListView.as_view(), name="client-list"),
    path("services/<int:service_pk>/client/", clients.ClientFormView.as_view(), name="client-form"),
    path("services/<int:service_pk>/secret/", clients.SecretRotateView.as_view(), name="secret-rotate"),
    path("exemple/", example.ExampleHomeView.as_view(), name="example"),
    path("exemple/connexion/", example.example_login, name="example-login"),
    path("exemple/retour/", example.example_callback, name="example-callback"),
    path("exemple/deconnexion/", example.example_logout, name="example-logout"),
    path("exemple/canal-arriere/", example.example_backchannel, name="example-backchannel"),
]
