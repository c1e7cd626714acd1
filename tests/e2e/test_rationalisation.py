"""A role engineer rationalises the scenario model in the browser (RE-2b, thesis 5.3.4, issue 21): decomposes a
step too coarse to implement, then generalises the two similar scenarios the workbench proposes into one generic
scenario with an instantiation parameter; each rewriting is traced on the model page and shown with its effect.
Pages need no JavaScript; they are audited with axe-core and shot at 1366, 768 and 390 px into var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.browser import audit, log_in, new_page, visit
from habpps.workbench.documents import save_model
from workbench.conftest import example_text, seed_workbench_permission

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"large": (1366, 900), "medium": (768, 1000), "small": (390, 844)}


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"rationalisation-{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_the_role_engineer_decomposes_a_step_and_generalises_two_scenarios(browser, site, javascript):
    base, net = site
    seed_workbench_permission()
    stored, _ = save_model(net.national_admin, example_text("cdap.yaml"))
    page = new_page(browser, javascript=javascript)
    try:
        log_in(page, base, net.national_admin.login, check=javascript)
        visit(page, f"{base}/atelier-roles/modeles/{stored.pk}/", check=javascript)
        page.click("a:has-text('Rationaliser les scénarios')")
        page.wait_for_selector("h1:has-text('Rationaliser les scénarios')")
        if javascript:
            audit(page)
            shoot(page, "apercu")

        # Decomposition: « L'assistant consulte la situation du foyer » is too coarse.
        section = page.locator("section:has(h3:has-text('accompagner un allocataire'))").first
        section.locator("tr:has-text('situation du foyer') a:has-text('Décomposer')").click()
        page.wait_for_selector("h1:has-text('Décomposer une étape')")
        assert "P-DOSSIER" in page.input_value("#id_steps")  # the abstract permission unfolded
        page.fill("#id_steps", "Une seule ligne | P-DOSSIER")
        page.click("button:has-text(\"Décomposer l'étape\")")
        page.wait_for_selector("text=Une étape se décompose en au moins deux étapes plus fines")
        if javascript:
            audit(page)
            shoot(page, "decomposer-erreur")
        page.fill(
            "#id_steps",
            "L'assistant consulte le dossier et les droits | P-DOSSIER, P-DROITS\n"
            "Il consulte l'adresse, la famille et le logement | P-ADRESSE, P-FAMILLE, P-LOGEMENT",
        )
        page.fill("#id_reason", "Étape trop grossière pour être implémentée")
        page.click("button:has-text(\"Décomposer l'étape\")")
        page.wait_for_selector("h1:has-text('Rationalisation RAT-1')")
        main = page.inner_text("main")
        assert "devient 2 étapes plus fines" in main
        assert "aucun profil ni aucun rôle ne gagne ou ne perd" in main
        if javascript:
            audit(page)
            shoot(page, "decomposition-effet")

        # Generalisation: the two section-reading scenarios the workbench proposes.
        page.click("a:has-text('Continuer la rationalisation')")
        page.click("a:has-text('Généraliser ces scénarios')")
        page.wait_for_selector("h1:has-text('Généraliser des scénarios')")
        checked = page.locator("input[name=sources]:checked")
        assert sorted(checked.evaluate_all("boxes => boxes.map(b => b.value)")) == [
            "SC-CDAP-ACTION-SOCIALE",
            "SC-CDAP-RSA",
        ]
        page.fill("input[name='valeur_SC-CDAP-ACTION-SOCIALE']", "action sociale")
        page.fill("input[name='valeur_SC-CDAP-RSA']", "RSA")
        page.fill("#id_scenario_id", "SC-CDAP-BENEFICIAIRE")
        page.fill("#id_object", "consulter le dossier d'un bénéficiaire de type X")
        page.fill("#id_parameter", "type de bénéficiaire")
        if javascript:
            audit(page)
            shoot(page, "generaliser")
        page.click("button:has-text('Généraliser')")
        page.wait_for_selector("h1:has-text('Rationalisation RAT-2')")
        main = page.inner_text("main")
        assert "deviennent le scénario générique « SC-CDAP-BENEFICIAIRE »" in main
        assert "0 rôle(s) changent" in main
        if javascript:
            audit(page)
            shoot(page, "generalisation-effet")

        page.click("a:has-text('Voir le modèle')")
        page.wait_for_selector("h2#rationalisation")
        main = page.inner_text("main")
        assert "RAT-1" in main and "RAT-2" in main
        assert "SC-CDAP-BENEFICIAIRE (RSA)" in main
        if javascript:
            audit(page)
            shoot(page, "modele")
    finally:
        page.context.close()
