"""The demo adapter of the beneficiary-file port: generated, deterministic, realistic French files (CDP-8).

Every fund of the demo has a file for each number from 1000000 to 8999999; numbers starting with 0 or 9 are
unknown, so that the « dossier inconnu » path can be tried (e.g. 9999999). Each section is projected from one
generated household (``household.py``), and only the sections asked for are built.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from habpps.cdap.content import BeneficiaryFile, Fact, Row, SectionContent, Table
from habpps.cdap.formatting import day, euros, month, quarter
from habpps.cdap.sources.base import BeneficiaryFileSource, UnknownBeneficiary
from habpps.cdap.sources.household import Household, add_months, generate_household

UNKNOWN_FIRST_DIGITS = ("0", "9")


class DemoBeneficiaryFileSource(BeneficiaryFileSource):
    """Generated files; ``today`` is injectable so that tests see a fixed calendar."""

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        self._today = today

    def fetch(self, fund_code: str, number: str, sections: Collection[str]) -> BeneficiaryFile:
        if number.startswith(UNKNOWN_FIRST_DIGITS):
            raise UnknownBeneficiary(number)
        household = _household(fund_code, number, self._today())
        built = {code: SECTION_BUILDERS[code](household) for code in sections if code in SECTION_BUILDERS}
        return BeneficiaryFile(fund_code=fund_code, number=number, sections=built)


@lru_cache(maxsize=2048)
def _household(fund_code: str, number: str, today: date) -> Household:
    return generate_household(fund_code, number, today)


def _payment_rows(household: Household) -> tuple[Row, ...]:
    return tuple(
        Row(
            (day(payment.paid_on), payment.label, month(payment.month), euros(payment.amount)),
            start=payment.paid_on,
            end=payment.paid_on,
            amount=payment.amount,
        )
        for payment in reversed(household.payments)
    )


PAYMENT_COLUMNS = ("Date de paiement", "Prestation", "Mois de droit", "Montant")


def dossier(h: Household) -> SectionContent:
    facts = (
        Fact("Numéro d'allocataire", h.number),
        Fact("Allocataire", f"{h.holder.civility} {h.holder.full_name}"),
        Fact("Date de naissance", day(h.holder.birth_date)),
        Fact("Affilié(e) depuis le", day(h.affiliated_on)),
        Fact("Régime", "Général"),
        Fact("État du dossier", "Actif" if h.rights else "Sans droit ouvert"),
    )
    return SectionContent("dossier", facts=facts, summary=facts[1:3] + facts[5:6])


def droits(h: Household) -> SectionContent:
    rows = tuple(
        Row(
            (
                right.label,
                day(right.start),
                day(right.end) if right.end else "En cours",
                euros(right.monthly_amount),
            ),
            start=right.start,
            end=right.end,
        )
        for right in sorted(h.rights, key=lambda r: r.start, reverse=True)
    )
    open_rights = [right.benefit for right in h.rights if right.end is None]
    return SectionContent(
        "droits",
        tables=(Table("Droits", ("Prestation", "Ouvert le", "Fermé le", "Montant mensuel"), rows),),
        summary=(Fact("Droits ouverts", ", ".join(open_rights) or "Aucun"),),
        note="" if rows else "Aucun droit ouvert sur ce dossier.",
    )


def adresse(h: Household) -> SectionContent:
    address = f"{h.street}, {h.postal_code} {h.city}"
    facts = (Fact("Adresse", address), Fact("Depuis le", day(h.address_since)))
    rows = tuple(
        Row((text, day(start), day(end)), start=start, end=end) for text, start, end in h.previous_addresses
    )
    tables = (Table("Adresses précédentes", ("Adresse", "Du", "Au"), rows),) if rows else ()
    return SectionContent("adresse", facts=facts, tables=tables, summary=facts[:1])


def famille(h: Household) -> SectionContent:
    members = [("Allocataire", h.holder)]
    if h.partner:
        members.append(("Conjoint(e)", h.partner))
    members += [("Enfant", child) for child in h.children]
    rows = tuple(Row((role, p.full_name, day(p.birth_date))) for role, p in members)
    facts = (
        Fact("Situation familiale", h.family_situation),
        Fact("Enfants à charge", str(len(h.dependent_children))),
    )
    return SectionContent(
        "famille",
        facts=facts,
        tables=(Table("Composition du foyer", ("Qualité", "Nom", "Date de naissance"), rows),),
        summary=facts,
    )


def logement(h: Household) -> SectionContent:
    facts = [
        Fact("Statut d'occupation", h.housing.status),
        Fact("Entrée dans le logement", day(h.housing.since)),
    ]
    if h.housing.rent:
        facts += [
            Fact("Loyer mensuel", euros(h.housing.rent)),
            Fact("Charges", euros(h.housing.charges)),
            Fact("Bailleur", h.housing.landlord),
        ]
    housing_aid = [r for r in h.rights if r.benefit in {"APL", "ALF", "ALS"} and r.end is None]
    facts.append(Fact("Aide au logement", housing_aid[0].label if housing_aid else "Aucune"))
    return SectionContent("logement", facts=tuple(facts), summary=(facts[0], facts[-1]))


def rsa(h: Household) -> SectionContent:
    rights = [r for r in h.rights if r.benefit == "RSA"]
    if not rights:
        return SectionContent(
            "rsa", note="Pas de droit au RSA sur ce dossier.", summary=(Fact("RSA", "Pas de droit"),)
        )
    right = rights[0]
    facts = (
        Fact("Droit ouvert le", day(right.start)),
        Fact("État du droit", "Fermé le " + day(right.end) if right.end else "En cours"),
        Fact("Orientation", h.rsa_orientation),
        Fact("Référent", h.rsa_referent),
        Fact("Contrat d'engagements réciproques", "Signé"),
    )
    rows = tuple(
        Row((month(p.month), day(p.paid_on), euros(p.amount)), start=p.month, end=p.paid_on, amount=p.amount)
        for p in reversed(h.payments)
        if p.benefit == "RSA"
    )
    return SectionContent(
        "rsa",
        facts=facts,
        tables=(Table("RSA versé", ("Mois de droit", "Payé le", "Montant"), rows),),
        summary=(Fact("RSA", f"{facts[1].value}, {euros(right.monthly_amount)} par mois"), facts[2]),
    )


def paiement(h: Household) -> SectionContent:
    rows = _payment_rows(h)
    last = h.payments[-1] if h.payments else None
    summary = (
        (
            Fact(
                "Dernier paiement",
                f"{day(last.paid_on)} — {euros(sum((p.amount for p in h.payments if p.paid_on == last.paid_on), Decimal(0)))}",
            ),
        )
        if last
        else (Fact("Dernier paiement", "Aucun"),)
    )
    return SectionContent(
        "paiement",
        facts=(
            Fact("Mode de paiement", "Virement"),
            Fact("Compte", f"FR76 •••• •••• •••• {int(h.number) % 10000:04d}"),
        ),
        tables=(Table("Paiements", PAYMENT_COLUMNS, rows),),
        summary=summary,
    )


def courrier(h: Household) -> SectionContent:
    rows = tuple(
        Row((day(letter.sent_on), letter.subject, letter.direction), start=letter.sent_on, end=letter.sent_on)
        for letter in h.letters
    )
    summary = (
        (Fact("Dernier courrier", f"{day(h.letters[0].sent_on)} — {h.letters[0].subject}"),)
        if h.letters
        else ()
    )
    return SectionContent(
        "courrier", tables=(Table("Courriers", ("Date", "Objet", "Sens"), rows),), summary=summary
    )


def ressources(h: Household) -> SectionContent:
    """Annual and quarterly resources consolidated on one page (CDP-5, the slides' « Ressources »)."""
    # An annual line applies to the rights it is taken into account for (income of N-2 for the rights of N),
    # so a period of the last months shows the income behind the current rights, not last year's income.
    annual = tuple(
        Row(
            (f"Revenus {year}", f"Droits {year + 2}", euros(amount)),
            start=date(year + 2, 1, 1),
            end=date(year + 2, 12, 31),
        )
        for year, amount in sorted(h.annual_income.items(), reverse=True)
    )
    quarterly = tuple(
        Row(
            (quarter(start), euros(earnings), euros(other), euros(earnings + other)),
            start=start,
            end=add_months(start, 3) - timedelta(days=1),
            amount=earnings + other,
        )
        for start, earnings, other in reversed(h.quarterly_income)
    )
    # The summary names the income behind this year's rights (N-2), the line a first visit of the page shows.
    current = h.today.year - 2
    income_year = current if current in h.annual_income else max(h.annual_income)
    return SectionContent(
        "ressources",
        tables=(
            Table(
                "Ressources annuelles (déclaration fiscale)",
                ("Année de revenus", "Prise en compte", "Montant"),
                annual,
            ),
            Table(
                "Ressources trimestrielles déclarées",
                ("Trimestre", "Revenus d'activité", "Autres ressources", "Total"),
                quarterly,
            ),
        ),
        summary=(
            Fact(
                f"Revenus {income_year} (droits {income_year + 2})",
                euros(h.annual_income[income_year]),
            ),
        ),
    )


def creances(h: Household) -> SectionContent:
    rows = tuple(
        Row(
            (
                debt.nature,
                day(debt.notified_on),
                euros(debt.initial_amount),
                euros(debt.remaining),
                euros(debt.monthly_deduction),
            ),
            start=debt.notified_on,
            amount=debt.remaining,
        )
        for debt in h.debts
    )
    remaining = sum((debt.remaining for debt in h.debts), Decimal("0"))
    return SectionContent(
        "creances",
        tables=(
            Table(
                "Créances",
                ("Nature", "Notifiée le", "Montant initial", "Reste dû", "Retenue mensuelle"),
                rows,
            ),
        )
        if rows
        else (),
        summary=(Fact("Reste dû", euros(remaining)),),
        note="" if rows else "Aucune créance sur ce dossier.",
    )


def attestation_paiement(h: Household) -> SectionContent:
    """What a payment certificate states: who, where, and the payments (CDP-6)."""
    year_ago = h.today - timedelta(days=365)
    last_year = sum((p.amount for p in h.payments if p.paid_on > year_ago), Decimal(0))
    return SectionContent(
        "attestation-paiement",
        summary=(Fact("Versé sur les douze derniers mois", euros(last_year)),),
        facts=(
            Fact("Allocataire", f"{h.holder.civility} {h.holder.full_name}"),
            Fact("Adresse", f"{h.street}, {h.postal_code} {h.city}"),
            Fact("Numéro d'allocataire", h.number),
        ),
        tables=(Table("Paiements", PAYMENT_COLUMNS, _payment_rows(h)),),
    )


def qf(h: Household) -> SectionContent:
    rows = []
    current = h.today.replace(day=1)
    for offset in range(24):
        year, month_index = divmod(current.year * 12 + current.month - 1 - offset, 12)
        start = date(year, month_index + 1, 1)
        rows.append(Row((month(start), f"{h.quotient_familial(start)} €"), start=start, end=start))
    return SectionContent(
        "qf",
        tables=(Table("Quotient familial CNAF", ("Mois", "Quotient familial"), tuple(rows)),),
        summary=(Fact("Quotient familial du mois", rows[0].cells[1]),),
    )


def enfants(h: Household) -> SectionContent:
    rows = tuple(
        Row(
            (
                child.first_name,
                day(child.birth_date),
                str(child.age_on(h.today)),
                "Oui" if child.age_on(h.today) < 20 else "Non",
            )
        )
        for child in h.children
    )
    return SectionContent(
        "enfants",
        tables=(Table("Enfants", ("Prénom", "Date de naissance", "Âge", "À charge"), rows),) if rows else (),
        summary=(Fact("Enfants à charge", str(len(h.dependent_children))),),
        note="" if rows else "Aucun enfant sur ce dossier.",
    )


SECTION_BUILDERS: dict[str, Callable[[Household], SectionContent]] = {
    "dossier": dossier,
    "droits": droits,
    "adresse": adresse,
    "famille": famille,
    "logement": logement,
    "rsa": rsa,
    "paiement": paiement,
    "courrier": courrier,
    "ressources": ressources,
    "creances": creances,
    "attestation-paiement": attestation_paiement,
    "qf": qf,
    "enfants": enfants,
}
