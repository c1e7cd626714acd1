"""A fund's staff see their own fund only; the national administration the whole network (ADM-1, ADM-2)."""

from django.urls import reverse


def test_fund_admin_of_caf_a_gets_404_on_a_partner_of_caf_b(client, network):
    client.force_login(network.fund_admin_a)
    assert client.get(reverse("directory:partner-detail", args=[network.partner_a.pk])).status_code == 200
    assert client.get(reverse("directory:partner-detail", args=[network.partner_b.pk])).status_code == 404
    assert client.get(reverse("directory:partner-update", args=[network.partner_b.pk])).status_code == 404
    assert client.get(reverse("directory:group-detail", args=[network.group_b.pk])).status_code == 404
    assert client.get(reverse("directory:account-detail", args=[network.user_b.pk])).status_code == 404


def test_partner_list_of_a_fund_admin_shows_only_its_fund(client, network):
    client.force_login(network.fund_admin_a)
    page = client.get(reverse("directory:partner-list")).content.decode()
    assert network.partner_a.name in page
    assert network.partner_b.name not in page


def test_fund_admin_cannot_act_on_another_fund_even_by_posting(client, network):
    client.force_login(network.fund_admin_a)
    response = client.post(
        reverse("directory:partner-status", args=[network.partner_b.pk, "suspended"]), {"status": "suspended"}
    )
    assert response.status_code == 404
    network.partner_b.refresh_from_db()
    assert network.partner_b.status == "active"


def test_partner_admin_sees_only_its_own_organisation(client, network):
    client.force_login(network.partner_admin_a)
    assert client.get(reverse("directory:partner-detail", args=[network.partner_a.pk])).status_code == 200
    assert client.get(reverse("directory:partner-detail", args=[network.partner_b.pk])).status_code == 404
    assert client.get(reverse("directory:partner-list")).status_code == 404
    assert client.get(reverse("directory:fund-list")).status_code == 404


def test_national_admin_manages_funds_but_not_partners(client, network):
    client.force_login(network.national_admin)
    listed = client.get(reverse("directory:fund-list"))
    assert listed.status_code == 200
    assert network.fund_a.name in listed.content.decode() and network.fund_b.name in listed.content.decode()
    searched = client.get(reverse("directory:fund-list"), {"q": network.fund_a.code}).content.decode()
    assert network.fund_a.name in searched and network.fund_b.name not in searched
    assert client.get(reverse("directory:partner-detail", args=[network.partner_b.pk])).status_code == 200
    assert client.get(reverse("directory:partner-update", args=[network.partner_b.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, network):
    response = client.get(reverse("directory:partner-list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
