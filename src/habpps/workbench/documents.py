"""Stored role-engineering models: save only what loads, and everything the pages derive from a stored model.

:func:`save_model` parses the text with the role-engineering loader first — on any error the problems, each
with its place in the document, are raised and nothing is written. :class:`Workspace` is a stored model with
what the analyst reviews: catalogues, the hierarchy derived by thesis 5.3.6 (without inheritance across
functional domains, 5.3.7, when the model declares domains), its review list, traceability and the scenarios'
sequences checked against the derived roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from habpps.journal.services import record_event
from habpps.roleeng.acceptance import SequenceCheck, check_sequences
from habpps.roleeng.catalogues import (
    ConstraintRecord,
    PermissionRecord,
    constraint_catalogue,
    permission_catalogue,
)
from habpps.roleeng.derivation import RoleHierarchy, derive_hierarchy
from habpps.roleeng.engine_import import policy_document
from habpps.roleeng.loading import parse_model
from habpps.roleeng.model import Permission, RoleModel
from habpps.roleeng.model_diff import ModelDiff, diff_models
from habpps.roleeng.problems import Problem
from habpps.roleeng.rationalise import similar_scenarios
from habpps.roleeng.svg import render_hierarchy_svg
from habpps.roleeng.traceability import Traceability
from habpps.workbench.models import MiningRun, Rationalisation, StoredRoleModel

JOURNAL_SCOPE = "national"
MAX_MODEL_BYTES = 2_000_000


def save_model(
    actor,
    text: str,
    *,
    instance: StoredRoleModel | None = None,
    origin: str = StoredRoleModel.Origin.UPLOAD,
    mining_run: MiningRun | None = None,
) -> tuple[StoredRoleModel, list[Problem]]:
    """Store a model's text once it loads (``ModelInvalid`` otherwise, nothing written); returns its warnings.

    The stored name is the document's own ``name``.
    """
    if len(text.encode("utf-8")) > MAX_MODEL_BYTES:
        from habpps.roleeng.problems import ModelInvalid

        raise ModelInvalid(
            [Problem((), "trop_volumineux", f"document de plus de {MAX_MODEL_BYTES:,} octets")]
        )
    model, warnings = parse_model(text)
    with transaction.atomic():
        if instance is None:
            instance = StoredRoleModel(origin=origin, mining_run=mining_run, created_by=actor)
        before = None if instance.pk is None else {"name": instance.name, "version_text": len(instance.text)}
        instance.name = model.name[:200]
        instance.text = text
        instance.updated_at = timezone.now()
        instance.updated_by = actor
        instance.save()
        record_event(
            "workbench.model.save",
            actor=actor,
            org_scope=JOURNAL_SCOPE,
            target=f"modele-roles:{instance.pk}",
            before=before,
            after={"name": instance.name, "version": model.version, "profiles": len(model.profiles)},
            data={"origin": instance.origin, "warnings": len(warnings)},
        )
    return instance, warnings


def dump_document(document: dict[str, Any]) -> str:
    """The YAML text of a rewritten document: keys in the author's order, accents readable."""
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=110)


def rationalise(
    actor,
    stored: StoredRoleModel,
    rewrite: Callable[[dict[str, Any]], dict[str, Any]],
) -> tuple[Rationalisation, list[Problem]]:
    """Apply one rewriting of :mod:`habpps.roleeng.rationalise` to a stored model, traced and journalled.

    ``rewrite`` takes the model document and returns the rewritten one (``RationalisationError`` when it refuses;
    ``ModelInvalid`` is raised if the result does not load — both leave everything unchanged). The stored row is
    locked while its text is read and replaced, so two analysts rationalising at once do not lose a rewriting.
    """
    with transaction.atomic():
        stored = StoredRoleModel.objects.select_for_update().get(pk=stored.pk)
        before_text = stored.text
        before_model, _ = parse_model(before_text)
        after_document = rewrite(yaml.load(before_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
        after_text = dump_document(after_document)
        stored, warnings = save_model(actor, after_text, instance=stored)
        after_model, _ = parse_model(after_text)
        trace = after_model.rationalisations[-1]
        row = Rationalisation.objects.create(
            model=stored,
            kind=trace.kind.value,
            trace_id=trace.id,
            sentence=trace.sentence(),
            trace=after_document["rationalisations"][-1],
            text_before=before_text,
            text_after=after_text,
            created_by=actor,
        )
        record_event(
            "workbench.model.rationalise",
            actor=actor,
            org_scope=JOURNAL_SCOPE,
            target=f"modele-roles:{stored.pk}",
            before={"scenarios": [s.id for s in before_model.scenarios]},
            after={"scenarios": [s.id for s in after_model.scenarios]},
            data={"rationalisation": row.pk, "trace": row.trace, "sentence": row.sentence},
        )
    return row, warnings


def rationalisation_diff(row: Rationalisation) -> ModelDiff:
    """What the rewriting changed for each profile and role: the model before against the model after."""
    return diff_models(parse_model(row.text_before)[0], parse_model(row.text_after)[0])


@dataclass
class Workspace:
    """A stored model with everything derived from it, computed on first use."""

    stored: StoredRoleModel

    @cached_property
    def _loaded(self) -> tuple[RoleModel, list[Problem]]:
        return parse_model(self.stored.text)

    @property
    def model(self) -> RoleModel:
        return self._loaded[0]

    @property
    def warnings(self) -> list[Problem]:
        return self._loaded[1]

    @cached_property
    def by_domain(self) -> bool:
        return bool(self.model.role_domains())

    @cached_property
    def hierarchy(self) -> RoleHierarchy[Permission]:
        return derive_hierarchy(self.model.role_permissions(), self.model.role_domains() or None)

    @cached_property
    def traceability(self) -> Traceability:
        return Traceability(self.model, self.hierarchy)

    @cached_property
    def permission_catalogue(self) -> list[PermissionRecord]:
        return permission_catalogue(self.model)

    @cached_property
    def constraint_catalogue(self) -> list[ConstraintRecord]:
        return constraint_catalogue(self.model)

    @cached_property
    def similar_scenarios(self):
        """Groups of scenarios proposed for generalisation (5.3.4)."""
        return similar_scenarios(self.model)

    @cached_property
    def sequence_checks(self) -> list[SequenceCheck]:
        return check_sequences(self.model, self.hierarchy)

    @property
    def labels(self) -> dict[str, str]:
        return {profile.role_name: profile.label for profile in self.model.profiles}

    def svg(self) -> str:
        return render_hierarchy_svg(self.hierarchy, self.model.name, self.labels)

    def policy(self) -> dict:
        """The engine policy document of the derived hierarchy (``RBAC.export()``)."""
        return policy_document(self.hierarchy)

    def text_alternative(self) -> str:
        """What the drawing shows, in sentences (the drawing is an image)."""
        sentences = []
        for role in sorted(self.hierarchy.roles):
            juniors = sorted(self.hierarchy.juniors[role])
            if juniors:
                sentences.append(f"{self.labels.get(role, role)} hérite de {', '.join(juniors)}.")
        return " ".join(sentences) or "Aucune relation d'héritage : les rôles sont indépendants."

    def roles(self) -> list[dict]:
        """Per derived role: its profile, direct and total permissions, immediate juniors and seniors."""
        return [
            {
                "name": role,
                "label": self.labels.get(role, role),
                "direct": sorted(self.hierarchy.direct[role]),
                "total": len(self.hierarchy.permissions(role)),
                "juniors": sorted(self.hierarchy.juniors[role]),
                "seniors": sorted(self.hierarchy.seniors(role)),
            }
            for role in sorted(self.hierarchy.roles)
        ]
