"""The derivation of thesis 5.3.6 (SPEC RE-3), on hand-made cases and on random inputs through the engine."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from habpps.engine import RBAC
from habpps.roleeng.derivation import derive_hierarchy
from habpps.roleeng.engine_import import import_hierarchy


def thesis_reference(role_permissions):
    """The pseudo-code of 5.3.6 transcribed line by line, deliberately naive, to compare with."""
    roles = list(role_permissions)
    perms = {r: set(p) for r, p in role_permissions.items()}
    redundant = set()
    junior = {r: set() for r in roles}
    for r1 in roles:
        for r2 in roles:
            if r1 != r2 and perms[r1] == perms[r2]:
                redundant |= {r1, r2}
            if perms[r2] < perms[r1]:  # rôle1 > rôle2
                junior[r1].add(r2)
    for r in roles:
        for j1 in list(junior[r]):
            for j2 in list(junior[r]):
                if perms[j2] < perms[j1]:
                    junior[r].discard(j2)
    direct = {r: perms[r] - set().union(*(perms[j] for j in junior[r])) for r in roles}
    return junior, direct, redundant


def test_one_role_per_profile_with_subset_juniors_and_inherited_permissions_removed():
    hierarchy = derive_hierarchy(
        {
            "expert_rh": {"a", "b", "c", "d"},
            "gestionnaire": {"a", "b", "c"},
            "consultation": {"a"},
            "paie": {"a", "d"},
        }
    )
    assert hierarchy.edges() == [
        ("expert_rh", "gestionnaire"),
        ("expert_rh", "paie"),
        ("gestionnaire", "consultation"),
        ("paie", "consultation"),
    ]
    assert hierarchy.direct == {
        "expert_rh": frozenset(),
        "gestionnaire": {"b", "c"},
        "consultation": {"a"},
        "paie": {"d"},
    }
    assert hierarchy.redundant == ()


def test_transitive_reduction_keeps_immediate_juniors_only():
    hierarchy = derive_hierarchy({"r3": {1, 2, 3}, "r2": {1, 2}, "r1": {1}})
    assert hierarchy.juniors == {"r3": {"r2"}, "r2": {"r1"}, "r1": frozenset()}
    assert hierarchy.all_juniors("r3") == {"r2", "r1"}


def test_roles_with_equal_permissions_are_flagged_and_kept():
    """5.3.6: « ces rôles ne seront pas supprimés, mais doivent être identifiés et revus »."""
    hierarchy = derive_hierarchy({"pm": {"v"}, "pnm": {"v"}, "manager": {"v", "w"}, "x": {"v"}})
    assert hierarchy.redundant == (("pm", "pnm", "x"),)
    assert set(hierarchy.roles) == {"pm", "pnm", "x", "manager"}
    assert hierarchy.juniors["manager"] == {"pm", "pnm", "x"}  # none is a proper subset of another
    assert hierarchy.direct["manager"] == {"w"}


def test_a_role_without_permission_is_junior_of_every_other():
    hierarchy = derive_hierarchy({"vide": set(), "a": {1}, "b": {2}})
    assert hierarchy.edges() == [("a", "vide"), ("b", "vide")]


def test_domains_refuse_inheritance_across_functional_domains():
    """5.3.7: « les rôles du domaine GRH ne peuvent hériter de permission des rôles du domaine PAIE »."""
    permissions = {
        "consultation": {"lire"},
        "gestion": {"lire", "ecrire"},
        "paie": {"lire", "payer"},
        "rh": {"lire", "ecrire", "payer"},
    }
    domains = {"consultation": "GRH", "gestion": "GRH", "paie": "PAIE"}  # "rh" is transverse
    hierarchy = derive_hierarchy(permissions, domains)
    assert hierarchy.edges() == [("gestion", "consultation"), ("rh", "gestion"), ("rh", "paie")]
    assert hierarchy.direct["paie"] == {"lire", "payer"}
    assert all(hierarchy.permissions(role) == perms for role, perms in permissions.items())
    assert derive_hierarchy(permissions).juniors["paie"] == {"consultation"}


def test_inheritance_path_names_the_role_holding_the_permission():
    hierarchy = derive_hierarchy({"r3": {1, 2, 3}, "r2": {1, 2}, "r1": {1}})
    assert hierarchy.inheritance_path("r3", 1) == ["r3", "r2", "r1"]
    assert hierarchy.inheritance_path("r3", 3) == ["r3"]
    assert hierarchy.inheritance_path("r1", 3) is None


def test_flattened_hierarchy_gives_each_role_all_its_permissions_on_one_level():
    hierarchy = derive_hierarchy({"r3": {1, 2, 3}, "r2": {1, 2}, "pm": {9}, "pnm": {9}}).flattened()
    assert hierarchy.edges() == []
    assert hierarchy.direct == {"r3": {1, 2, 3}, "r2": {1, 2}, "pm": {9}, "pnm": {9}}
    assert hierarchy.redundant == (("pm", "pnm"),)


def test_layers_put_every_junior_below_its_seniors():
    hierarchy = derive_hierarchy({"r3": {1, 2, 3}, "r2": {1, 2}, "r1": {1}, "s": {1, 9}})
    assert hierarchy.layers() == [["r3", "s"], ["r2"], ["r1"]]


profiles = st.dictionaries(
    keys=st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    values=st.frozensets(
        st.tuples(st.sampled_from(["lire", "ecrire", "valider"]), st.sampled_from("uvwxyz")), max_size=7
    ),
    min_size=1,
    max_size=9,
)


@settings(max_examples=150, deadline=None)
@given(profiles)
def test_derivation_matches_the_thesis_pseudo_code(role_permissions):
    hierarchy = derive_hierarchy(role_permissions)
    junior, direct, redundant = thesis_reference(role_permissions)
    assert {r: set(j) for r, j in hierarchy.juniors.items()} == junior
    assert {r: set(p) for r, p in hierarchy.direct.items()} == direct
    assert {r for group in hierarchy.redundant for r in group} == redundant
    for group in hierarchy.redundant:
        assert len({role_permissions[r] for r in group}) == 1


@settings(max_examples=150, deadline=None)
@given(
    profiles,
    st.dictionaries(st.text(alphabet="abcdefgh", min_size=1, max_size=3), st.sampled_from(["GRH", "PAIE"])),
)
def test_imported_hierarchy_grants_every_profile_exactly_its_permissions(role_permissions, domains):
    """RE-3 property: the result is a DAG the engine accepts, and through it each role holds its profile."""
    for hierarchy in (derive_hierarchy(role_permissions), derive_hierarchy(role_permissions, domains)):
        rbac = import_hierarchy(hierarchy)  # the engine refuses any cycle
        assert rbac.roles() == set(role_permissions)
        for role, permissions in role_permissions.items():
            assert rbac.role_permissions(role=role, inherited=True) == set(permissions)
            assert rbac.role_permissions(role=role, inherited=False) == set(hierarchy.direct[role])
            assert rbac.role_juniors(role=role) == set(hierarchy.juniors[role])
        for senior, junior in hierarchy.edges():
            assert role_permissions[junior] < role_permissions[senior]
            # immediate: no other path from senior to junior
            others = hierarchy.juniors[senior] - {junior}
            assert all(junior not in hierarchy.all_juniors(other) for other in others)
        assert RBAC.load(rbac.export()).export() == rbac.export()
