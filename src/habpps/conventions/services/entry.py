"""The fund administrator's side (CNV-1, CNV-2, CNV-4, CNV-5): enter a convention and its bulletins, ask for
missing documents, submit, amend, and record the paper steps.

Every action checks the enter permission in the convention's fund with the engine, runs in one transaction with
the version row locked, and journals the version before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.authorization.decisions import authorize
from habpps.authorization.orgs import fund_unit
from habpps.authorization.refusal_journal import journal_refusal
from habpps.conventions.author_rule import author_question, may_take_back, workflow_refusal
from habpps.conventions.doctrine import (
    doctrine_refusal,
    instructor_number_refusal,
    requires_instructor_number,
)
from habpps.conventions.models import (
    Bulletin,
    BulletinProfile,
    Convention,
    ConventionVersion,
    PaperStep,
)
from habpps.conventions.permissions import ENTER_CONVENTIONS
from habpps.conventions.services.common import (
    convention_scope,
    journal_version,
    move,
    refuse,
    touch,
    version_picture,
)
from habpps.conventions.workflow import EDITABLE_STATES, Event, VersionState
from habpps.directory.models import Partner, Service, ServiceRole
from habpps.directory.records import as_record
from habpps.journal.services import record_event

VERSION_FIELDS = ("service_contract", "ends_on", "instructor_number")


def authorize_entry(actor, convention_or_partner) -> None:
    """The fund administrator's permission, decided by the engine in the convention's fund."""
    authorize(actor, *ENTER_CONVENTIONS, fund_unit(convention_or_partner.fund_id))


def _locked(version: ConventionVersion) -> ConventionVersion:
    return (
        ConventionVersion.objects.select_for_update().select_related("convention__partner").get(pk=version.pk)
    )


def _require_editable(version: ConventionVersion) -> None:
    if version.state not in EDITABLE_STATES:
        raise ValidationError(
            _("La version %(number)d n'est plus modifiable (état « %(state)s »).")
            % {"number": version.number, "state": version.get_state_display()},
            code="version_not_editable",
        )
    if version.convention.is_ended:
        raise ValidationError(_("Cette convention a pris fin."), code="convention_ended")


def create_convention(
    actor,
    partner: Partner,
    *,
    reference: str,
    service_contract: str,
    ends_on: date | None = None,
    instructor_number: str = "",
    documents_complete: bool = True,
    documents_note: str = "",
) -> Convention:
    """Step 7 of the slides: enter the convention of a partner of the actor's fund (version 1).

    With ``documents_complete=False`` the version starts in ``documents_requested`` (the slides' « demande
    auprès du partenaire des documents manquants »), with ``documents_note`` saying what is missing.
    """
    authorize_entry(actor, partner)
    if not partner.is_in_force:
        raise ValidationError(_("L'organisme est suspendu ou supprimé."), code="partner_not_in_force")
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=partner.pk)
        if Convention.objects.filter(partner=partner, ended_at__isnull=True).exists():
            raise ValidationError(
                _("Cet organisme a déjà une convention en cours."), code="convention_exists"
            )
        convention = Convention(
            fund_id=partner.fund_id, partner=partner, reference=reference, created_by=actor
        )
        convention.full_clean()
        convention.save()
        version = ConventionVersion(
            convention=convention,
            number=1,
            state=VersionState.DRAFT if documents_complete else VersionState.DOCUMENTS_REQUESTED,
            service_contract=service_contract,
            ends_on=ends_on,
            instructor_number=instructor_number.strip().upper(),
            documents_note="" if documents_complete else documents_note,
            entered_by=actor,
            last_changed_by=actor,
        )
        version.full_clean(exclude=["convention"])
        version.save()
        record_event(
            "convention.create",
            actor=actor,
            org_scope=convention_scope(convention),
            target=f"convention:{convention.pk}",
            after=as_record(convention),
        )
        journal_version("convention.version.create", actor, version, before=None)
    return convention


def update_version(actor, version: ConventionVersion, **fields) -> ConventionVersion:
    """Change what was entered (draft only); a new instructor number must be checked again."""
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"Champs non modifiables : {sorted(unknown)}")
    authorize_entry(actor, version.convention)
    with transaction.atomic():
        version = _locked(version)
        _require_editable(version)
        before = version_picture(version)
        if "instructor_number" in fields:
            fields["instructor_number"] = (fields["instructor_number"] or "").strip().upper()
            if fields["instructor_number"] != version.instructor_number:
                version.instructor_number_checked_at = None
                version.instructor_number_checked_by = None
        for name, value in fields.items():
            setattr(version, name, value)
        touch(version, actor)
        version.full_clean(exclude=["convention"])
        version.save()
        journal_version("convention.version.update", actor, version, before)
    return version


def set_bulletin(
    actor, version: ConventionVersion, service: Service, profiles: Mapping[ServiceRole, int | None]
) -> ConventionVersion:
    """Replace the bulletin of ``service``: the profiles granted and their user limits (None: no limit).

    Every profile must belong to the service and be allowed by the national doctrine for the partner's type
    (CNV-1); an empty mapping removes the bulletin.
    """
    authorize_entry(actor, version.convention)
    partner = version.convention.partner
    for role, max_users in profiles.items():
        if role.service_id != service.pk:
            raise ValidationError(
                {
                    "profiles": _("Le profil « %(role)s » n'appartient pas au service « %(service)s ».")
                    % {"role": role.name, "service": service.name}
                },
                code="profile_other_service",
            )
        refusal = doctrine_refusal(partner, role)
        if refusal:
            refuse(refusal, "profiles")
        if max_users is not None and max_users < 1:
            raise ValidationError(
                {"profiles": _("Le nombre maximal d'utilisateurs est au moins 1.")}, code="max_users"
            )
    with transaction.atomic():
        version = _locked(version)
        _require_editable(version)
        before = version_picture(version)
        Bulletin.objects.filter(version=version, service=service).delete()
        if profiles:
            bulletin = Bulletin.objects.create(version=version, service=service)
            BulletinProfile.objects.bulk_create(
                BulletinProfile(bulletin=bulletin, role=role, max_users=max_users)
                for role, max_users in sorted(profiles.items(), key=lambda item: item[0].code)
            )
        touch(version, actor)
        version.save()
        journal_version("convention.version.bulletin", actor, version, before, data={"service": service.code})
    return version


def check_instructor_number(actor, version: ConventionVersion) -> ConventionVersion:
    """Record that the RSA instructor number was checked (CNV-1): its profiles may then be granted."""
    authorize_entry(actor, version.convention)
    with transaction.atomic():
        version = _locked(version)
        _require_editable(version)
        refusal = instructor_number_refusal(version.instructor_number)
        if refusal:
            refuse(refusal, "instructor_number")
        before = version_picture(version)
        version.instructor_number_checked_at = timezone.now()
        version.instructor_number_checked_by = actor
        touch(version, actor)
        version.save()
        journal_version("convention.version.instructor_number", actor, version, before)
    return version


def request_documents(actor, version: ConventionVersion, note: str) -> ConventionVersion:
    """Ask the partner for missing documents; the entry waits for them."""
    authorize_entry(actor, version.convention)
    if not note.strip():
        raise ValidationError({"note": _("Indiquez les documents manquants.")}, code="note_required")
    return _transition(actor, version, Event.REQUEST_DOCUMENTS, documents_note=note.strip())


def receive_documents(actor, version: ConventionVersion) -> ConventionVersion:
    authorize_entry(actor, version.convention)
    return _transition(actor, version, Event.DOCUMENTS_RECEIVED)


def resume(actor, version: ConventionVersion) -> ConventionVersion:
    """Take a rejected version back into entry to correct it (« retour étape 5 »)."""
    authorize_entry(actor, version.convention)
    return _transition(actor, version, Event.RESUME)


def submit(actor, version: ConventionVersion) -> ConventionVersion:
    """Hand the entry to the fund's verifiers; it must grant at least one profile, and an RSA instructing body's
    number must have been checked."""
    authorize_entry(actor, version.convention)
    with transaction.atomic():
        locked = _locked(version)
        in_force = locked.convention.version_in_force() if locked.is_amendment else None
        if not BulletinProfile.objects.filter(bulletin__version=locked).exists():
            if in_force is not None:
                raise ValidationError(
                    _(
                        "Cet avenant retire tous les profils de la convention. Pour mettre fin à tous les accès "
                        "de l'organisme, utilisez « Résilier la convention » : la résiliation est journalisée "
                        "avec son motif et met fin aussi aux délégations."
                    ),
                    code="amendment_ends_everything",
                )
            raise ValidationError(
                _(
                    "La convention n'accorde encore aucun profil : renseignez au moins un bulletin d'adhésion."
                ),
                code="no_profile",
            )
        if in_force is not None and unchanged_from(in_force, locked):
            raise ValidationError(
                _(
                    "Cet avenant ne change rien à la version en vigueur : modifiez un bulletin d'adhésion, une "
                    "limite d'utilisateurs, l'échéance ou le contrat de services avant de le soumettre, ou "
                    "abandonnez-le."
                ),
                code="amendment_unchanged",
            )
        if requires_instructor_number(locked.convention.partner) and not locked.instructor_number_checked:
            raise ValidationError(
                _("Le numéro instructeur RSA doit être renseigné et vérifié avant la soumission."),
                code="instructor_number_unchecked",
            )
        return _transition(actor, locked, Event.SUBMIT, submitted_at=timezone.now())


def unchanged_from(in_force: ConventionVersion, version: ConventionVersion) -> bool:
    """Whether ``version`` grants and says exactly what ``in_force`` does (an amendment with nothing to verify)."""
    return version.granted() == in_force.granted() and all(
        getattr(version, name) == getattr(in_force, name) for name in VERSION_FIELDS
    )


def _transition(actor, version: ConventionVersion, event: str, **fields) -> ConventionVersion:
    with transaction.atomic():
        version = _locked(version)
        if version.convention.is_ended:
            raise ValidationError(_("Cette convention a pris fin."), code="convention_ended")
        before = version_picture(version)
        # A transition is not a change of what was entered: only content edits count for the four eyes.
        transition = move(version, event, actor, **fields)
        journal_version(f"convention.version.{transition.event}", actor, version, before)
    return version


def author_refusal(actor, version: ConventionVersion, event: str) -> str | None:
    """Why ``actor`` may not make ``event`` (cancel, withdraw) on ``version``, in French; None when he may.

    A first version is not given up — the convention is (a fact of the workflow); otherwise the engine decides:
    only the fund administrator who entered the version gives it up or takes it back from the verifiers
    (`habpps.conventions.author_rule`), a colleague would undo work he did not do.
    """
    refusal = workflow_refusal(version, event)
    if refusal:
        return refusal
    decision = may_take_back(actor, version, event)
    return None if decision else decision.message


def _author_transition(actor, version: ConventionVersion, event: str) -> ConventionVersion:
    authorize_entry(actor, version.convention)
    refusal = workflow_refusal(version, event)
    if refusal:
        raise ValidationError(refusal, code="first_version")
    # Asked before the transaction (who entered a version never changes), so that the refusal's entry in the
    # journal of refusals — as the question the decision API answers the same way — is not rolled back with it.
    decision = may_take_back(actor, version, event)
    if not decision:
        operation, obj, org = author_question(version, event)
        journal_refusal(actor, operation=operation, obj=obj, org=org, reason=decision.reason,
                        message=decision.message, code=decision.code)
        raise ValidationError(decision.message, code=decision.code)
    with transaction.atomic():
        return _transition(actor, _locked(version), event)


def cancel(actor, version: ConventionVersion) -> ConventionVersion:
    """Give up an amendment not yet validated (its author only): the version in force stays as it is."""
    return _author_transition(actor, version, Event.CANCEL)


def withdraw(actor, version: ConventionVersion) -> ConventionVersion:
    """Take a submitted version back from the verifiers into entry (its author only), to correct it."""
    return _author_transition(actor, version, Event.WITHDRAW)


def amend(actor, convention: Convention) -> ConventionVersion:
    """Start an amendment (CNV-4): a new draft version copying the one in force, which stays in force."""
    authorize_entry(actor, convention)
    with transaction.atomic():
        convention = Convention.objects.select_for_update().get(pk=convention.pk)
        if convention.is_ended:
            raise ValidationError(_("Cette convention a pris fin."), code="convention_ended")
        current = convention.version_in_force()
        if current is None:
            raise ValidationError(
                _("Seule une convention validée se modifie par avenant."), code="no_version_in_force"
            )
        if convention.open_version() is not None:
            raise ValidationError(
                _("Une version de cette convention est déjà en cours de saisie ou de vérification."),
                code="version_open",
            )
        amendment = ConventionVersion.objects.create(
            convention=convention,
            number=convention.versions.order_by("-number").values_list("number", flat=True).first() + 1,
            state=VersionState.DRAFT,
            service_contract=current.service_contract,
            ends_on=current.ends_on,
            instructor_number=current.instructor_number,
            instructor_number_checked_at=current.instructor_number_checked_at,
            instructor_number_checked_by=current.instructor_number_checked_by,
            entered_by=actor,
            last_changed_by=actor,
        )
        for bulletin in current.bulletins.prefetch_related("profiles"):
            copy = Bulletin.objects.create(version=amendment, service_id=bulletin.service_id)
            BulletinProfile.objects.bulk_create(
                BulletinProfile(bulletin=copy, role_id=profile.role_id, max_users=profile.max_users)
                for profile in bulletin.profiles.all()
            )
        journal_version(
            "convention.version.amend", actor, amendment, before=None, data={"from": current.number}
        )
    return amendment


def record_paper_step(actor, convention: Convention, **fields) -> PaperStep:
    """Record a step done on paper (CNV-5) with its date, decision and optional PDF, checked by content."""
    authorize_entry(actor, convention)
    document = fields.get("document")
    step = PaperStep(convention=convention, recorded_by=actor, **fields)
    if document:
        step.document_name = (getattr(document, "name", "") or "")[:200]
    step.full_clean(exclude=["convention", "recorded_by"])
    with transaction.atomic():
        step.save()
        record_event(
            "convention.paper_step.record",
            actor=actor,
            org_scope=convention_scope(convention),
            target=f"convention:{convention.pk}",
            after={**as_record(step), "document": step.document.name if step.document else ""},
        )
    return step
