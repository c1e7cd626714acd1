"""Defects the security campaign found, each pinned by the smallest test that showed it."""

from __future__ import annotations

from django.urls import reverse

from security.world import build_world


def test_a_delegate_posting_the_group_creation_form_is_refused_not_a_server_error(
    db, client, settings, tmp_path
):
    """The delegation page's context popped its group form only for the partner administrator, so a delegate's
    POST (or the administrator's invalid one re-rendered) crashed with a 500."""
    settings.MEDIA_ROOT = tmp_path
    side = build_world().sides["a"]
    client.force_login(side.actors["delegate"])
    assert client.post(reverse("delegation:group-create"), {"groupe-name": "Intrus"}).status_code == 404

    client.force_login(side.actors["partner_admin"])
    response = client.post(reverse("delegation:group-create"), {"groupe-name": ""})
    assert response.status_code == 200 and response.context["group_form"].errors


def test_a_temporal_constraint_missing_the_name_it_is_on_is_a_document_error_not_a_crash():
    """Found by the policy-loader fuzzing: ``{"on": "user"}`` without ``user`` passed the schema and the loader
    died with a KeyError."""
    import pytest

    from habpps.engine import RBAC, PolicyDocumentError

    for item, missing in (
        ({"on": "user"}, "user"),
        ({"on": "role"}, "role"),
        ({"on": "assignment", "user": "u"}, "role"),
        ({"on": "group_assignment", "role": "r"}, "group"),
    ):
        document = {"format": "habpps-policy/1", "temporal_constraints": [{**item, "constraint": {}}]}
        with pytest.raises(PolicyDocumentError) as error:
            RBAC.load(document)
        assert error.value.errors[0]["path"] == "/temporal_constraints/0"
        assert missing in error.value.errors[0]["message"]
