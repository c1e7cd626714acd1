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
