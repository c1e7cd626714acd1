"""The journal in words people know (AUD-4): event types, organisations and people by name, never by code.

The journal stores codes — ``auth.login.success``, the scope ``national/fund:7/partner:42``, logins — because
they are stable and searchable. Pages show these labels instead; the codes stay on the entry's own page, in its
technical detail. Organisations and accounts are looked up by model name (``apps.get_model``), so the journal,
below the directory, imports none of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.conf import settings

FAMILIES = {
    "auth": "Connexions et sécurité des comptes",
    "access": "Refus du moteur d'habilitation",
    "admin": "Administration du réseau",
    "cdap": "Consultations CDAP",
    "convention": "Conventions",
    "delegation": "Gestion déléguée",
    "supervision": "Supervision",
    "api": "Accès par l'API",
    "workbench": "Atelier des rôles",
    "sso": "Connexion unique aux services",
}

KINDS = {
    "workbench.model.rationalise": "Modèle de rôles rationalisé (décomposition ou généralisation)",
    "access.decision.denied": "Refusé par le moteur d'habilitation (page, API ou service)",
    "access.decision.denied.flood": "Refus en rafale regroupés",
    "auth.login.success": "Connexion réussie",
    "auth.login.failure": "Connexion refusée (identifiant ou mot de passe)",
    "auth.login.throttled": "Connexions bloquées depuis une adresse réseau",
    "auth.logout": "Déconnexion",
    "auth.account.freeze": "Compte gelé après des échecs",
    "auth.account.unfreeze": "Compte débloqué par un administrateur",
    "auth.password.change": "Mot de passe changé",
    "auth.password.reset.request": "Mot de passe oublié : lien demandé",
    "auth.password.reset": "Mot de passe réinitialisé",
    "auth.second_factor.enrol": "Double authentification activée",
    "auth.second_factor.remove": "Double authentification retirée",
    "auth.second_factor.failure": "Code de double authentification incorrect",
    "auth.second_factor.recovery_code": "Code de secours utilisé",
    "auth.session.refused": "Connexion refusée : une autre session était ouverte",
    "auth.session.replaced": "Session remplacée par une nouvelle connexion",
    "auth.session.idle": "Session fermée pour inactivité",
    "auth.session.revoked": "Session fermée : compte suspendu ou supprimé",
    "auth.session.admin": "Session fermée par un administrateur",
    "auth.session.password_reset": "Session fermée : mot de passe réinitialisé",
    "admin.account.create": "Compte créé",
    "admin.account.update": "Compte modifié",
    "admin.account.status": "Statut d'un compte changé",
    "admin.account.role.grant": "Rôle d'administration attribué",
    "admin.account.role.revoke": "Rôle d'administration retiré",
    "admin.account.attributes": "Attributs d'un compte modifiés (lus par les contraintes)",
    "admin.account.window": "Période d'accès d'un compte modifiée",
    "admin.role.window": "Période d'usage d'un profil modifiée",
    "admin.context.grant.set": "Conditions d'une permission d'un profil modifiées",
    "admin.context.activation.set": "Conditions d'activation d'un profil modifiées",
    "admin.context.activation.import": "Condition d'activation d'un profil importée ou retirée (politique)",
    "admin.access.expiry_notice": "Préavis de fin d'accès envoyé",
    "admin.auth_policy.update": "Politique d'authentification modifiée",
    "admin.deployment.set": "Date d'ouverture d'un profil fixée",
    "admin.deployment.clear": "Date d'ouverture d'un profil retirée",
    "admin.doctrine.update": "Doctrine nationale modifiée",
    "admin.fund.create": "Caisse créée",
    "admin.fund.update": "Caisse modifiée",
    "admin.group.create": "Groupe créé",
    "admin.group.update": "Groupe modifié",
    "admin.group.member.add": "Membre ajouté à un groupe",
    "admin.group.member.remove": "Membre retiré d'un groupe",
    "admin.group.role.assign": "Profil attribué à un groupe",
    "admin.group.role.unassign": "Profil retiré d'un groupe",
    "admin.partner.create": "Organisme partenaire créé",
    "admin.partner.update": "Organisme partenaire modifié",
    "admin.partner_type.create": "Type de partenaire créé",
    "admin.policy.import": "Politique importée",
    "admin.policy.rebuild": "Politique reconstruite",
    "admin.role.create": "Profil créé",
    "admin.role.update": "Profil modifié",
    "admin.role.permissions": "Permissions d'un profil modifiées",
    "admin.service.create": "Service créé",
    "admin.journal.retention.update": "Durée de conservation du journal modifiée",
    "admin.journal.retention.remove": "Entrées anciennes du journal purgées",
    "admin.sso.client.create": "Service enregistré pour la connexion unique",
    "admin.sso.client.update": "Connexion unique d'un service modifiée",
    "admin.sso.client.secret_rotate": "Secret de connexion unique d'un service renouvelé",
    "sso.authorization": "Connexion à un service par Habpps",
    "sso.token.issue": "Jeton remis à un service",
    "sso.logout": "Service prévenu d'une déconnexion",
    "api.token.create": "Jeton d'accès à l'API créé",
    "api.token.revoke": "Jeton d'accès à l'API révoqué",
    "cdap.consultation": "Dossier consulté",
    "cdap.consultation.unknown": "Numéro de dossier inconnu",
    "cdap.consultation.refused": "Consultation refusée : plafond quotidien atteint",
    "cdap.consultation.unavailable": "Consultation impossible : système indisponible",
    "cdap.alert.threshold": "Alerte : seuil de consultations atteint",
    "cdap.doctrine.update": "Rubriques des profils CDAP modifiées",
    "cdap.limits.update": "Plafonds de consultation modifiés",
    "cdap.report.view": "Rapport « qui a consulté » affiché",
    "cdap.section.create": "Rubrique CDAP créée",
    "cdap.section.update": "Rubrique CDAP modifiée",
    "convention.create": "Convention créée",
    "convention.version.create": "Version de convention créée",
    "convention.version.update": "Version de convention modifiée",
    "convention.version.amend": "Avenant créé",
    "convention.version.validate": "Version de convention validée",
    "convention.version.reject": "Version de convention refusée",
    "convention.version.supersede": "Version de convention remplacée",
    "convention.version.bulletin": "Bulletin d'adhésion enregistré",
    "convention.version.instructor_number": "Numéro d'instructeur enregistré",
    "convention.paper_step.record": "Étape papier enregistrée",
    "convention.verification": "Convention vérifiée",
    "convention.verification.refused": "Vérification refusée",
    "convention.access.withdraw": "Accès retirés à la fin d'une convention",
    "delegation.perimeter.set": "Périmètre de gestion déléguée fixé",
    "supervision.aggregate": "Tableaux de bord mis à jour",
    "supervision.alert.sent": "Alertes de supervision envoyées",
    "supervision.finding.acknowledge": "Constat pris en compte",
    "supervision.settings.update": "Paramètres de la supervision modifiés",
    "supervision.export": "Tableau de bord exporté",
    "supervision.recertification.open": "Campagne de recertification ouverte",
    "supervision.recertification.remind": "Relance de recertification",
    "supervision.recertification.confirm": "Habilitation confirmée",
    "supervision.recertification.revoke": "Habilitation retirée à la recertification",
    "supervision.recertification.close": "Campagne de recertification close",
}


def kind_label(kind: str) -> str:
    """The label of ``kind``, or of its nearest known family (« Administration du réseau — autre »)."""
    if kind in KINDS:
        return KINDS[kind]
    parts = kind.split(".")
    while parts:
        parts.pop()
        prefix = ".".join(parts)
        if prefix in KINDS:
            return KINDS[prefix]
        if prefix in FAMILIES:
            return f"{FAMILIES[prefix]} — autre événement"
    return "Autre événement"


def kind_choices() -> list[tuple[str, object]]:
    """The search form's list: each family, then its types, by label."""
    choices: list[tuple[str, object]] = [("", "Tous les événements")]
    for family, label in FAMILIES.items():
        members = sorted(
            ((kind, text) for kind, text in KINDS.items() if kind.split(".", 1)[0] == family),
            key=lambda item: item[1],
        )
        choices.append((label, [(family, f"Tous : {label.lower()}"), *members]))
    return choices


class Names:
    """Organisation and person names for the scopes, logins and targets of a page of entries."""

    def __init__(self, scopes: Iterable[str], logins: Iterable[str], targets: Iterable[str] = ()) -> None:
        fund_ids, partner_ids = set(), set()
        for scope in scopes:
            for segment in (scope or "").split("/"):
                unit, _sep, key = segment.partition(":")
                if key.isdigit():
                    (fund_ids if unit == "fund" else partner_ids if unit == "partner" else set()).add(int(key))
        fund = apps.get_model("directory", "Fund")
        partner = apps.get_model("directory", "Partner")
        self.units = {"national": "Cnaf"}
        self.units.update({f"fund:{pk}": name for pk, name in fund.objects.filter(pk__in=fund_ids).values_list("pk", "name")})
        self.units.update(
            {f"partner:{pk}": name for pk, name in partner.objects.filter(pk__in=partner_ids).values_list("pk", "name")}
        )
        group_ids = {int(t[6:]) for t in targets if t and t.startswith("group:") and t[6:].isdigit()}
        group = apps.get_model("directory", "Group")
        self.groups = {
            f"group:{pk}": f"groupe « {name} »"
            for pk, name in group.objects.filter(pk__in=group_ids).values_list("pk", "name")
        }
        account = apps.get_model(settings.AUTH_USER_MODEL)
        self.people = {
            login: f"{first} {last}".strip() or login
            for login, first, last in account.objects.filter(login__in=set(logins)).values_list(
                "login", "first_name", "last_name"
            )
        }

    def scope(self, scope: str) -> str:
        """The deepest organisation of the scope, with its fund: « CCAS de Paris (Caf de Paris) »."""
        units = [segment for segment in (scope or "").split("/") if segment]
        if not units:
            return "—"
        names = [self.units.get(unit, "organisme supprimé") for unit in units]
        if len(names) >= 3:
            return f"{names[-1]} ({names[-2]})"
        return names[-1]

    def person(self, login: str) -> str:
        return self.people.get(login, login) if login else "—"

    def target(self, target: str) -> str:
        if target in self.people:
            return self.people[target]
        if target in self.groups:
            return self.groups[target]
        kind, _sep, rest = (target or "").partition(":")
        if kind == "dossier" and rest:
            return f"dossier n° {rest.split(':')[-1]}"
        if kind in ("partner", "fund") and f"{kind}:{rest}" in self.units:
            return self.units[f"{kind}:{rest}"]
        return target or "—"


def people_named(text: str) -> list[str]:
    """Logins of the accounts whose login is ``text``, or else whose « first last » or « last first » is it."""
    account = apps.get_model(settings.AUTH_USER_MODEL)
    if account.objects.filter(login=text).exists():
        return [text]
    words = text.split()
    if len(words) < 2:
        return list(account.objects.filter(last_name__iexact=text).values_list("login", flat=True)[:5])
    first, last = words[0], " ".join(words[1:])
    by_first = account.objects.filter(first_name__iexact=first, last_name__iexact=last)
    by_last = account.objects.filter(last_name__iexact=words[0], first_name__iexact=" ".join(words[1:]))
    return sorted(set(by_first.values_list("login", flat=True)) | set(by_last.values_list("login", flat=True)))


def scope_choices(viewer_scope: str) -> list[tuple[str, str]]:
    """The organisations an auditor may narrow the search to: funds, and partners under a fund's scope."""
    fund = apps.get_model("directory", "Fund")
    partner = apps.get_model("directory", "Partner")
    units = viewer_scope.split("/")
    if len(units) == 1:
        return [(f"national/fund:{pk}", name) for pk, name in fund.objects.order_by("name").values_list("pk", "name")]
    if len(units) == 2:
        fund_id = int(units[1].partition(":")[2])
        partners = partner.objects.filter(fund_id=fund_id).order_by("name").values_list("pk", "name")
        return [(f"{viewer_scope}/partner:{pk}", name) for pk, name in partners]
    return []


FIELDS = {
    "created_at": "créé le",
    "updated_at": "modifié le",
    "started_at": "depuis le",
    "ended_at": "jusqu'au",
    "must_change_password": "doit changer son mot de passe",
    "first_name": "prénom",
    "last_name": "nom",
    "email": "adresse électronique",
    "status": "statut",
    "name": "nom",
    "code": "code",
    "siret": "SIRET",
    "street": "adresse",
    "postal_code": "code postal",
    "city": "commune",
    "partner_type": "type de partenaire",
    "description": "description",
    "login": "identifiant",
    "fund": "caisse",
    "partner": "organisme",
    "role": "profil",
    "roles": "profils",
    "group": "groupe",
    "account": "compte",
    "org_level": "niveau",
    "is_active": "actif",
    "password_changed_at": "mot de passe changé le",
    "idle_timeout_minutes": "déconnexion après inactivité (minutes)",
    "concurrent_sessions": "sessions simultanées",
}


def field_label(name: str) -> str:
    return FIELDS.get(name, name.replace("_", " "))


def value_label(value) -> object:
    if value is True:
        return "oui"
    if value is False:
        return "non"
    return value
