from django.urls import path

from habpps.accounts import views
from habpps.authorization.session_views import ActiveRolesView

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path(
        "connexion/fermer-autre-session/", views.CloseOtherSessionView.as_view(), name="close-other-session"
    ),
    path("connexion/code/", views.SecondFactorVerifyView.as_view(), name="second-factor-verify"),
    path("connexion/code-de-secours/", views.RecoveryCodeView.as_view(), name="recovery-code"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("securite/", views.SecuritySettingsView.as_view(), name="security"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password-change"),
    path("mot-de-passe-oublie/", views.PasswordResetRequestView.as_view(), name="password-reset"),
    path("mot-de-passe-oublie/nouveau/", views.PasswordResetSetView.as_view(), name="password-reset-set"),
    path(
        "mot-de-passe-oublie/<str:token>/",
        views.PasswordResetLinkView.as_view(),
        name="password-reset-link",
    ),
    path("double-authentification/", views.SecondFactorEnrolView.as_view(), name="second-factor-enrol"),
    path(
        "double-authentification/retirer/",
        views.SecondFactorRemoveView.as_view(),
        name="second-factor-remove",
    ),
    path("politique/", views.AuthenticationPolicyView.as_view(), name="policy"),
    path("roles-actifs/", ActiveRolesView.as_view(), name="active-roles"),
]
