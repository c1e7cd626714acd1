import pytest

from habpps.engine import RBAC


@pytest.fixture
def rbac() -> RBAC:
    """A small policy: alice is a 'chef' (senior of 'lecteur'); bob a 'lecteur'; 'redacteur' writes."""
    engine = RBAC()
    for user in ("alice", "bob", "carol"):
        engine.add_user(user)
    for role in ("lecteur", "chef", "redacteur", "verificateur"):
        engine.add_role(role)
    engine.grant_permission(operation="lire", obj="dossier", role="lecteur")
    engine.grant_permission(operation="ecrire", obj="dossier", role="redacteur")
    engine.grant_permission(operation="valider", obj="convention", role="verificateur")
    engine.add_inheritance(ascendant="chef", descendant="lecteur")
    engine.assign_user(user="alice", role="chef")
    engine.assign_user(user="bob", role="lecteur")
    return engine
