"""How the sweep fills each page's URL and form, and who may use a page that names no object of a fund.

Every named URL pattern needs an entry here: a page added without one fails the sweep with a message naming
it. Two kinds of entries:

- ``Scoped``: the URL names objects of one fund or partner (``targets`` gives the URL keyword arguments naming
  the objects of a side, ``post`` the form data that would make the change if the check were missing). Every
  actor of the other fund — fund administrator, verifier, partner administrator, delegate, user — must be
  refused, and the national administrator is only required not to break the page.
- ``Page``: the URL names nothing of a fund (lists, dashboards, forms, the national catalogue). ``reach`` is
  the set of actor kinds that may use it; everyone else must be refused. A page served to one side must not
  show the other side's names or logins.

Actor kinds: ``national``, ``fund_admin``, ``verifier``, ``partner_admin``, ``delegate``, ``user``,
``anonymous``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace as World

from security.world import Side

STAFF = frozenset({"national", "fund_admin", "verifier", "partner_admin", "delegate", "user"})
PARTNER_STAFF = frozenset({"partner_admin", "delegate", "user"})
EVERYONE = STAFF | {"anonymous"}
NATIONAL = frozenset({"national"})
FUND_ADMINS = frozenset({"national", "fund_admin"})
STATUSES = ("suspended", "active", "removed")
ABSENT = 999_999  # a primary key no fixture uses


@dataclass(frozen=True)
class Scoped:
    targets: Callable[[Side, World], list[dict]]
    post: Callable[[Side, World], dict] = lambda side, world: {}
    methods: tuple[str, ...] = ("get", "post")


@dataclass(frozen=True)
class Page:
    reach: frozenset[str]
    kwargs: Callable[[World], dict] = lambda world: {}
    methods: tuple[str, ...] = ("get", "post")


def each_status(pk_of: Callable[[Side], int]) -> Callable[[Side, World], list[dict]]:
    return lambda side, world: [{"pk": pk_of(side), "status": status} for status in STATUSES]


def each_action(pk_of, actions) -> Callable[[Side, World], list[dict]]:
    return lambda side, world: [{"pk": pk_of(side), "action": action} for action in actions]


def role_pk(world: World, code: str = "cdap-ass-cesf") -> int:
    return world.roles[code].pk


def open_session(account):
    """A live session of ``account`` (as its login would record it), for the page that lets it be closed."""
    import secrets

    from habpps.accounts import clock
    from habpps.accounts.models import AccountSession

    now = clock.now()
    return AccountSession.objects.create(
        account=account, session_key=secrets.token_hex(16), started_at=now, last_activity_at=now
    )


def frozen(account):
    """``account`` frozen after failed logins, for the page that unfreezes it."""
    from datetime import timedelta

    from habpps.accounts import clock
    from habpps.accounts.models import Account

    Account.objects.filter(pk=account.pk).update(frozen_until=clock.now() + timedelta(minutes=30))
    return account


def group_form(side: Side, world: World) -> dict:
    """Every field of every group form at once, naming objects of the same side."""
    return {
        "account": side.spare_user.pk,
        "role": role_pk(world),
        "membre-account": side.spare_user.pk,
        "profil-role": role_pk(world),
        "name": "Groupe intrus",
    }


VERSION_ACTIONS = (
    "update",
    "bulletin",
    "check-instructor-number",
    "submit",
    "resume",
    "documents-received",
    "request-documents",
    "cancel",
    "withdraw",
    "validate",
    "reject",
)
CONVENTION_ACTIONS = ("avenant", "resiliation", "etape-papier")
DELEGATION_GROUP_ACTIONS = ("ajouter-membre", "attribuer-profil", "retirer-membre", "retirer-profil")

RECIPES: dict[str, Scoped | Page] = {
    "home": Page(STAFF),
    # Authentication pages: public, or about the caller's own account.
    "accounts:login": Page(EVERYONE),
    "accounts:second-factor-verify": Page(EVERYONE),
    # Without a right password just given, it only sends back to the login page.
    "accounts:close-other-session": Page(EVERYONE, methods=("post",)),
    # The role switcher: any signed-in person activates roles of his own session (the engine checks each).
    "accounts:active-roles": Page(STAFF, methods=("post",)),
    "accounts:recovery-code": Page(EVERYONE),
    "accounts:logout": Page(STAFF, methods=("get",)),  # a POST would end the sweep's own session
    "accounts:security": Page(STAFF),
    "accounts:password-change": Page(STAFF),
    "accounts:password-reset": Page(EVERYONE),
    "accounts:password-reset-set": Page(EVERYONE),
    "accounts:password-reset-link": Page(EVERYONE, kwargs=lambda world: {"token": "jeton-inconnu"}),
    "accounts:second-factor-enrol": Page(STAFF),
    "accounts:second-factor-remove": Page(STAFF),
    "accounts:policy": Page(NATIONAL),
    # Directory: funds.
    "directory:fund-list": Page(FUND_ADMINS),
    "directory:fund-create": Page(NATIONAL),
    "directory:fund-detail": Scoped(lambda s, w: [{"pk": s.fund.pk}]),
    "directory:fund-update": Scoped(
        lambda s, w: [{"pk": s.fund.pk}],
        post=lambda s, w: {"code": "999", "name": "Caf intruse", "department": "99"},
    ),
    "directory:fund-status": Scoped(
        each_status(lambda s: s.fund.pk), post=lambda s, w: {"status": "suspended"}
    ),
    # Directory: the national catalogue (objects of no fund).
    "directory:service-list": Page(NATIONAL),
    "directory:role-create": Page(NATIONAL, kwargs=lambda world: {"service_pk": world.cdap.pk}),
    "directory:role-update": Page(NATIONAL, kwargs=lambda world: {"pk": role_pk(world)}),
    # « Qui ? » lists the holders within the caller's own perimeter (checked by the leak test).
    "directory:role-holders": Page(
        FUND_ADMINS | {"partner_admin", "delegate"}, kwargs=lambda world: {"pk": role_pk(world)}
    ),
    "directory:doctrine": Page(NATIONAL),
    # Data scoping of a profile and the contextual constraints: national parameters.
    "directory:role-scope": Page(NATIONAL, kwargs=lambda world: {"pk": role_pk(world)}),
    "directory:role-window": Page(NATIONAL, kwargs=lambda world: {"pk": role_pk(world)}),
    "directory:context-constraints": Page(NATIONAL),
    "directory:role-conditions": Page(NATIONAL, kwargs=lambda world: {"pk": role_pk(world)}),
    "directory:deployment": Page(NATIONAL),
    "directory:service-deployment": Page(NATIONAL, kwargs=lambda world: {"pk": world.cdap.pk}),
    "directory:opening-clear": Scoped(lambda s, w: [{"pk": s.opening.pk}]),
    "directory:partner-type-create": Page(NATIONAL),
    # Directory: partners, groups, accounts.
    "directory:partner-list": Page(FUND_ADMINS | {"verifier"}),
    "directory:partner-create": Page(FUND_ADMINS),
    "directory:partner-detail": Scoped(lambda s, w: [{"pk": s.partner.pk}]),
    "directory:partner-update": Scoped(
        lambda s, w: [{"pk": s.partner.pk}],
        post=lambda s, w: {
            "name": "Partenaire intrus",
            "siret": s.partner.siret,
            "partner_type": s.partner.partner_type_id,
            "person_kind": "legal",
            "street": "1 rue",
            "postal_code": "75001",
            "city": "Paris",
        },
    ),
    "directory:partner-status": Scoped(
        each_status(lambda s: s.partner.pk), post=lambda s, w: {"status": "suspended"}
    ),
    "directory:group-create": Scoped(lambda s, w: [{"partner_pk": s.partner.pk}], post=group_form),
    "directory:group-detail": Scoped(lambda s, w: [{"pk": s.group.pk}]),
    "directory:group-member-add": Scoped(lambda s, w: [{"pk": s.group.pk}], post=group_form),
    "directory:group-member-remove": Scoped(
        lambda s, w: [{"pk": s.group.pk, "account_pk": s.actors["user"].pk}]
    ),
    "directory:group-profile-assign": Scoped(lambda s, w: [{"pk": s.second_group.pk}], post=group_form),
    "directory:group-profile-remove": Scoped(lambda s, w: [{"pk": s.group.pk, "role_pk": role_pk(w)}]),
    "directory:group-status": Scoped(
        each_status(lambda s: s.group.pk), post=lambda s, w: {"status": "suspended"}
    ),
    "directory:account-detail": Scoped(
        lambda s, w: [{"pk": account.pk} for account in (*s.actors.values(), s.spare_user)]
    ),
    "directory:account-role-grant": Scoped(
        lambda s, w: [{"pk": s.spare_user.pk}, {"pk": s.actors["user"].pk}],
        post=lambda s, w: {"role": role_pk(w, "PartnerAdmin")},
    ),
    "directory:account-unfreeze": Scoped(lambda s, w: [{"pk": frozen(s.actors["user"]).pk}]),
    "directory:account-session-end": Scoped(
        lambda s, w: [{"pk": s.actors["user"].pk, "session_pk": open_session(s.actors["user"]).pk}]
    ),
    "directory:account-limit": Scoped(
        lambda s, w: [{"pk": s.actors["user"].pk}], post=lambda s, w: {"max_roles": "1"}
    ),
    "directory:account-window": Scoped(
        lambda s, w: [{"pk": s.actors["user"].pk}, {"pk": s.spare_user.pk}],
        post=lambda s, w: {"periode-valid_until": "2030-12-31"},
    ),
    "directory:account-attributes": Scoped(
        lambda s, w: [{"pk": s.actors["user"].pk}, {"pk": s.spare_user.pk}],
        post=lambda s, w: {"attribut-name": "reseau", "attribut-value": "10.0.0.0/8"},
    ),
    "directory:account-role-window": Scoped(
        lambda s, w: [{"pk": s.actors["partner_admin"].pk, "role_pk": role_pk(w, "PartnerAdmin")}],
        post=lambda s, w: {"ends_on": "2030-12-31"},
    ),
    "directory:group-profile-window": Scoped(
        lambda s, w: [{"pk": s.group.pk, "role_pk": role_pk(w)}], post=lambda s, w: {"ends_on": "2030-12-31"}
    ),
    "directory:account-role-revoke": Scoped(
        lambda s, w: [
            {"pk": s.actors["partner_admin"].pk, "role_pk": role_pk(w, "PartnerAdmin")},
            {"pk": s.actors["fund_admin"].pk, "role_pk": role_pk(w, "FundAdmin")},
        ]
    ),
    "directory:account-status": Scoped(
        lambda s, w: [
            {"pk": account.pk, "status": status}
            for account in (s.actors["user"], s.actors["partner_admin"], s.actors["fund_admin"])
            for status in STATUSES
        ],
        post=lambda s, w: {"status": "suspended"},
    ),
    "directory:my-habilitations": Page(STAFF),
    # Journal.
    # The journal's auditors see their own perimeter (AUD-4), a partner's administrator his partner's.
    "journal:search": Page(FUND_ADMINS | {"partner_admin"}),
    "journal:export": Page(FUND_ADMINS | {"partner_admin"}),
    "journal:entry": Scoped(lambda s, w: [{"sequence": s.journal_sequence}]),
    # Conventions.
    "conventions:fund-queue": Page(FUND_ADMINS),
    "conventions:verifier-queue": Page(NATIONAL | {"verifier"}),
    # Every fund's conventions, read only: the national administrator.
    "conventions:network": Page(NATIONAL),
    "conventions:create": Page(FUND_ADMINS),
    "conventions:detail": Scoped(lambda s, w: [{"pk": s.convention.pk}]),
    "conventions:version-action": Scoped(
        each_action(lambda s: s.convention.pk, VERSION_ACTIONS),
        post=lambda s, w: {"reason": "Intrusion", "note": "Intrusion", "reference": "INTRUS"},
        methods=("post",),
    ),
    "conventions:convention-action": Scoped(
        each_action(lambda s: s.convention.pk, CONVENTION_ACTIONS),
        post=lambda s, w: {
            "reason": "Intrusion",
            "papier-kind": "signature",
            "papier-occurred_on": "2025-01-02",
            "papier-decision": "favourable",
        },
        methods=("post",),
    ),
    "conventions:paper-document": Scoped(lambda s, w: [{"pk": s.paper_step.pk}], methods=("get",)),
    # Delegated administration: always on the caller's own partner; other sides' objects in the URL.
    "delegation:home": Page(frozenset({"partner_admin", "delegate"})),
    "delegation:account-create": Page(frozenset({"partner_admin", "delegate"})),
    "delegation:account-status": Scoped(
        each_status(lambda s: s.actors["user"].pk), post=lambda s, w: {"status": "suspended"}
    ),
    # A delegate's group creation reaches the service, where the engine refuses it (can_create_group), with its
    # explanation next to the form and in the journal of refusals — no longer a 404 decided by the view.
    "delegation:group-create": Page(frozenset({"partner_admin", "delegate"})),
    "delegation:group": Scoped(lambda s, w: [{"pk": s.group.pk}, {"pk": s.second_group.pk}]),
    "delegation:group-action": Scoped(
        lambda s, w: [
            {"pk": group.pk, "action": action}
            for group in (s.group, s.second_group)
            for action in DELEGATION_GROUP_ACTIONS
        ],
        post=group_form,
        methods=("post",),
    ),
    "delegation:profile-window": Scoped(
        lambda s, w: [{"pk": s.group.pk, "role_pk": role_pk(w)}], post=lambda s, w: {"ends_on": "2030-12-31"}
    ),
    "delegation:perimeter": Scoped(
        lambda s, w: [{"pk": s.actors["delegate"].pk}],
        post=lambda s, w: {"groups": [s.group.pk, s.second_group.pk], "roles": [role_pk(w)]},
    ),
    # CDAP: the open file lives in the session, so no URL names a fund's object.
    "cdap:lookup": Page(frozenset({"user"})),
    "cdap:summary": Page(frozenset({"user"})),
    "cdap:close": Page(frozenset({"user"})),
    "cdap:section": Page(frozenset({"user"}), kwargs=lambda world: {"code": "dossier"}),
    "cdap:document": Page(frozenset({"user"}), kwargs=lambda world: {"code": "attestation-paiement"}),
    "cdap:doctrine": Page(NATIONAL),
    "cdap:section-create": Page(NATIONAL),
    "cdap:limits": Page(NATIONAL),
    "cdap:report": Page(FUND_ADMINS | {"partner_admin"}),
    # Supervision.
    "supervision:home": Page(FUND_ADMINS | {"partner_admin"}),
    "supervision:inactive": Page(FUND_ADMINS | {"partner_admin"}),
    "supervision:business-actions": Page(FUND_ADMINS | {"partner_admin"}),
    "supervision:freezes": Page(FUND_ADMINS | {"partner_admin"}),
    "supervision:habilitations": Page(FUND_ADMINS | {"partner_admin"}),
    "supervision:sections": Page(FUND_ADMINS | {"partner_admin"}),
    "supervision:partners": Page(FUND_ADMINS | {"partner_admin"}),  # sends him to his own partner's page
    "supervision:partner": Scoped(lambda s, w: [{"pk": s.partner.pk}]),
    "supervision:least-privilege": Page(FUND_ADMINS | {"partner_admin"}),
    "supervision:acknowledge": Scoped(
        lambda s, w: [{"pk": s.finding.pk}], post=lambda s, w: {"note": "Intrusion"}, methods=("post",)
    ),
    "supervision:campaigns": Page(FUND_ADMINS | {"partner_admin"}),
    "supervision:campaign": Scoped(lambda s, w: [{"pk": s.campaign.pk}]),
    "supervision:campaign-close": Scoped(lambda s, w: [{"pk": s.campaign.pk}], methods=("post",)),
    "supervision:recertification-todo": Page(frozenset({"partner_admin"})),
    "supervision:recertification-decide": Scoped(
        lambda s, w: [{"pk": s.item.pk, "decision": decision} for decision in ("confirmer", "retirer")],
        methods=("post",),
    ),
    "supervision:settings": Page(NATIONAL),
    # Role-engineering workbench: national objects, decided in the national unit.
    "workbench:home": Page(NATIONAL),
    "workbench:model-create": Page(NATIONAL),
    "workbench:model-diff": Page(NATIONAL),
    "workbench:model-detail": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk}),
    "workbench:model-edit": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk}),
    "workbench:model-svg": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk}),
    "workbench:model-download": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk}),
    "workbench:model-policy": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk, "fmt": "yaml"}),
    "workbench:model-trace": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk}),
    "workbench:model-rules": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk}),
    "workbench:rationalisation": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk}),
    "workbench:rationalisation-decompose": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk}),
    "workbench:rationalisation-generalise": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk}),
    "workbench:rationalisation-detail": Page(NATIONAL, kwargs=lambda world: {"pk": world.role_model.pk, "rid": ABSENT}),
    "workbench:run-create": Page(NATIONAL),
    "workbench:run-detail": Page(NATIONAL, kwargs=lambda world: {"pk": world.mining_run.pk}),
    "workbench:run-accept": Page(NATIONAL, kwargs=lambda world: {"pk": world.mining_run.pk}),
    "workbench:gap": Page(NATIONAL),
    # Single sign-on: the national administrator registers services as clients; the provider's endpoints and
    # the demo's example service answer anyone (each protects itself: login, tokens, client authentication).
    "sso:client-list": Page(NATIONAL),
    "sso:client-form": Page(NATIONAL, kwargs=lambda world: {"service_pk": world.cdap.pk}),
    "sso:secret-rotate": Page(NATIONAL, kwargs=lambda world: {"service_pk": world.cdap.pk}),
    "sso:example": Page(EVERYONE),
    "sso:example-login": Page(EVERYONE),
    "sso:example-callback": Page(EVERYONE),
    "sso:example-logout": Page(EVERYONE),
    "sso:example-backchannel": Page(EVERYONE),
    "oauth2_provider:oidc-connect-discovery-info": Page(EVERYONE),
    "oauth2_provider:jwks-info": Page(EVERYONE),
    "oauth2_provider:oauth-server-metadata": Page(EVERYONE),
    "oauth2_provider:authorize": Page(EVERYONE),
    "oauth2_provider:token": Page(EVERYONE),
    "oauth2_provider:user-info": Page(EVERYONE),
    "oauth2_provider:rp-initiated-logout": Page(EVERYONE, methods=("get",)),  # a POST would end the session
    "oauth2_provider:revoke-token": Page(EVERYONE),
    "oauth2_provider:introspect": Page(EVERYONE),
    # What-if simulation of a policy change, applying a document, and the policy's download: national only.
    "simulation:simulate": Page(NATIONAL),
    "simulation:export": Page(NATIONAL, methods=("get",)),
    # OpenID AuthZEN: registered services' tokens only; a browser session is no credential there.
    "authzen-evaluation": Page(EVERYONE),
    "authzen-evaluations": Page(EVERYONE),
    "authzen-configuration": Page(EVERYONE),
    # The extended RBAC model (hierarchy, separation of duty, exclusions, role rules): national parameters.
    # Objects of the model name no fund; the delete and decide routes are swept on absent objects (404 for all).
    "authorization:hierarchy": Page(NATIONAL),
    "authorization:hierarchy-picture": Page(NATIONAL, kwargs=lambda world: {"which": "profils"}, methods=("get",)),
    "authorization:inheritance-remove": Page(NATIONAL, kwargs=lambda world: {"pk": ABSENT}, methods=("post",)),
    "authorization:separation": Page(NATIONAL),
    "authorization:separation-delete": Page(NATIONAL, kwargs=lambda world: {"pk": ABSENT}, methods=("post",)),
    "authorization:exclusions": Page(NATIONAL),
    "authorization:exclusion-delete": Page(NATIONAL, kwargs=lambda world: {"pk": ABSENT}, methods=("post",)),
    "authorization:role-rules": Page(NATIONAL),
    "authorization:role-rule-edit": Page(NATIONAL, kwargs=lambda world: {"pk": role_pk(world)}),
    # Held changes: the administrators who may approve in their unit (national, fund administrators).
    "authorization:approvals": Page(FUND_ADMINS),
    "authorization:approval-decide": Page(
        FUND_ADMINS, kwargs=lambda world: {"pk": ABSENT, "decision": "approuver"}, methods=("post",)
    ),
    "supervision:violation-acknowledge": Page(FUND_ADMINS, kwargs=lambda world: {"pk": ABSENT}, methods=("post",)),
}
