"""The bounds this app puts on the directory's groups (CNV-1, CNV-2), registered from ``AppConfig.ready``.

The directory's services consult them before every change to a group (``habpps.directory.perimeters``), so the
directory's own pages, the API and the delegated-administration pages obey the same rule:

- ``ConventionPerimeter``: a partner's groups hold only profiles its validated convention grants, within the
  per-profile user limits — whoever acts, the system included.
"""

from __future__ import annotations

from habpps.conventions import perimeter as convention
from habpps.conventions.perimeter import Refusal
from habpps.directory.perimeters import Perimeter, register


class ConventionPerimeter(Perimeter):
    """The partner's validated convention and its per-profile user limits."""

    name = "convention"

    def profile_refusal(self, actor, group, role) -> Refusal | None:
        return convention.profile_refusal(group, role)

    def membership_refusal(self, actor, group, account) -> Refusal | None:
        return convention.membership_refusal(group, account.pk)

    def reactivation_refusal(self, actor, group) -> Refusal | None:
        """A suspended group's members were not counted: back in force, they must fit in every user limit."""
        members = convention.current_members(group)
        for role in convention.group_roles(group):
            refusal = convention.limit_refusal(group.partner, role, members)
            if refusal:
                return refusal
        return None


def register_perimeters() -> None:
    """Called from ``ConventionsConfig.ready``: the directory's services consult both from then on."""
    register(ConventionPerimeter())
