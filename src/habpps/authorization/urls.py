from django.urls import path

from habpps.authorization import model_views as views

app_name = "authorization"

urlpatterns = [
    path("modele/hierarchie/", views.HierarchyView.as_view(), name="hierarchy"),
    path("modele/hierarchie/<str:which>.svg", views.HierarchyPictureView.as_view(), name="hierarchy-picture"),
    path("modele/hierarchie/<int:pk>/retirer/", views.InheritanceRemoveView.as_view(), name="inheritance-remove"),
    path("modele/separation/", views.SeparationView.as_view(), name="separation"),
    path("modele/separation/<int:pk>/supprimer/", views.SeparationDeleteView.as_view(), name="separation-delete"),
    path("modele/exclusions/", views.ExclusionsView.as_view(), name="exclusions"),
    path("modele/exclusions/<int:pk>/supprimer/", views.ExclusionDeleteView.as_view(), name="exclusion-delete"),
    path("modele/roles/", views.RoleRulesView.as_view(), name="role-rules"),
    path("modele/roles/<int:pk>/", views.RoleRuleEditView.as_view(), name="role-rule-edit"),
    path("a-approuver/", views.ApprovalQueueView.as_view(), name="approvals"),
    path("a-approuver/<int:pk>/<str:decision>/", views.ApprovalDecideView.as_view(), name="approval-decide"),
]
