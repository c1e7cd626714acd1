"""`habpps policy export|import|diff` over the engine's policy documents (ENG-10, CLI-1)."""

import yaml

from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import group_name
from habpps.cli import main
from habpps.journal.models import JournalEntry

CDAP_DOSSIER = ("consulter", "cdap.section.dossier")


def test_export_then_import_of_the_same_document_changes_nothing(network, tmp_path, capsys):
    path = tmp_path / "politique.yaml"
    assert main(["policy", "export", "-o", str(path)]) == 0
    document = yaml.safe_load(path.read_text())
    assert {"id": network.user_a.login} in document["users"]
    assert main(["policy", "diff", "actuelle", str(path)]) == 0
    assert "Aucune différence" in capsys.readouterr().out
    assert main(["policy", "import", str(path)]) == 0
    assert is_allowed(network.user_a, *CDAP_DOSSIER)


def test_import_reconciles_the_directory_and_is_journalled(network, tmp_path, capsys):
    path = tmp_path / "politique.yaml"
    main(["policy", "export", "-o", str(path)])
    document = yaml.safe_load(path.read_text())
    for group in document["groups"]:
        if group["id"] == group_name(network.group_a.pk):
            group["members"].remove(network.user_a.login)
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    capsys.readouterr()
    assert main(["policy", "import", str(path), "--simulation"]) == 0
    assert f"- {' '.join(CDAP_DOSSIER)}" in capsys.readouterr().out
    assert is_allowed(network.user_a, *CDAP_DOSSIER)
    assert main(["policy", "import", str(path)]) == 0
    assert not is_allowed(network.user_a, *CDAP_DOSSIER)
    assert is_allowed(network.user_b, *CDAP_DOSSIER)
    assert JournalEntry.objects.filter(kind="admin.policy.import").exists()


def test_an_invalid_document_lists_every_error_and_applies_nothing(network, tmp_path, capsys):
    path = tmp_path / "politique.yaml"
    main(["policy", "export", "-o", str(path)])
    document = yaml.safe_load(path.read_text())
    document["users"].append({"id": "inconnu.0000"})
    document["roles"].append({"id": "RoleFantome"})
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    assert main(["policy", "import", str(path)]) == 1
    errors = capsys.readouterr().err
    assert "Compte inconnu de l'annuaire : « inconnu.0000 »" in errors
    assert "Profil inconnu de l'annuaire : « RoleFantome »" in errors
    assert not JournalEntry.objects.filter(kind="admin.policy.import").exists()


def test_rebuild_logs_a_version_every_process_rebuilds_from(network, capsys):
    from habpps.directory.models import PolicyChange

    assert main(["policy", "rebuild"]) == 0
    assert PolicyChange.objects.latest("number").rebuild
    assert "reconstruit" in capsys.readouterr().out
    assert main(["policy", "prune", "--garder", "1"]) == 0
    assert PolicyChange.objects.count() == 1
