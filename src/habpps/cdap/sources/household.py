"""A made-up household receiving family benefits, generated from the fund and the beneficiary number.

The same (fund, number, month) always gives the same household — Faker ``fr_FR`` and a random generator are
seeded from them — so a demo user finds the same file every time and tests can rely on it. Nothing here is a
real person. The rules are the network's in broad strokes (AF from the second child, PAJE under 3, housing aid
for tenants, RSA and prime d'activité under an income line, a quotient familial by shares), enough for believable
screens, not a benefits calculator.
"""

from __future__ import annotations

import hashlib
import random
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from faker import Faker

HISTORY_MONTHS = 36
PAYMENT_DAY = 5

_fakers = threading.local()


def _faker() -> Faker:
    """One Faker per thread: building one is slow and seeding one is not thread-safe."""
    faker = getattr(_fakers, "faker", None)
    if faker is None:
        faker = _fakers.faker = Faker("fr_FR")
    return faker


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    birth_date: date
    sex: str  # "F" or "M"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def civility(self) -> str:
        return "Madame" if self.sex == "F" else "Monsieur"

    def age_on(self, day: date) -> int:
        return (
            day.year
            - self.birth_date.year
            - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
        )


@dataclass(frozen=True)
class Right:
    """A benefit the household is entitled to, from ``start`` to ``end`` (None: still open)."""

    benefit: str
    label: str
    start: date
    end: date | None
    monthly_amount: Decimal

    def open_in(self, month_start: date) -> bool:
        return self.start <= month_start and (self.end is None or self.end >= month_start)


@dataclass(frozen=True)
class Payment:
    paid_on: date
    month: date
    benefit: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Debt:
    nature: str
    notified_on: date
    initial_amount: Decimal
    remaining: Decimal
    monthly_deduction: Decimal


@dataclass(frozen=True)
class Letter:
    sent_on: date
    subject: str
    direction: str


@dataclass(frozen=True)
class Housing:
    status: str
    rent: Decimal
    charges: Decimal
    landlord: str
    since: date


@dataclass
class Household:
    fund_code: str
    number: str
    today: date
    holder: Person
    partner: Person | None
    children: list[Person]
    family_situation: str
    street: str
    postal_code: str
    city: str
    address_since: date
    previous_addresses: list[tuple[str, date, date]]
    affiliated_on: date
    housing: Housing
    annual_income: dict[int, Decimal]
    quarterly_income: list[tuple[date, Decimal, Decimal]]  # quarter start, earnings, other income
    rights: list[Right] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    debts: list[Debt] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)
    rsa_referent: str = ""
    rsa_orientation: str = ""

    @property
    def dependent_children(self) -> list[Person]:
        return [child for child in self.children if child.age_on(self.today) < 20]

    def quotient_familial(self, month_start: date) -> Decimal:
        """Cnaf's QF: (annual income of year N-2 / 12 + monthly benefits) / shares."""
        income = self.annual_income.get(month_start.year - 2, Decimal("0"))
        benefits = sum(
            (right.monthly_amount for right in self.rights if right.open_in(month_start)), Decimal("0")
        )
        children = [child for child in self.children if child.age_on(month_start) < 20]
        shares = Decimal("2") + Decimal("0.5") * min(len(children), 2)
        if len(children) >= 3:
            shares += Decimal("1") + Decimal("0.5") * (len(children) - 3)
        return ((income / 12 + benefits) / shares).quantize(Decimal("1"))


def _seed(fund_code: str, number: str) -> int:
    return int.from_bytes(hashlib.sha256(f"cdap-demo:{fund_code}:{number}".encode()).digest()[:8], "big")


def _month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, 1)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def generate_household(fund_code: str, number: str, today: date) -> Household:
    """The household of file ``number`` of fund ``fund_code`` as seen on ``today``."""
    seed = _seed(fund_code, number)
    rng = random.Random(seed)
    fake = _faker()
    fake.seed_instance(seed)

    def person(sex: str, min_age: int, max_age: int, last_name: str | None = None) -> Person:
        first = fake.first_name_female() if sex == "F" else fake.first_name_male()
        birth = today - timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365 - 1))
        return Person(first, last_name or fake.last_name(), birth, sex)

    holder = person(rng.choice("FM"), 22, 62)
    couple = rng.random() < 0.55
    holder_age = holder.age_on(today)
    partner = (
        person("M" if holder.sex == "F" else "F", max(20, holder_age - 8), holder_age + 8, holder.last_name)
        if couple
        else None
    )
    # Children born when their parent was between 18 and 45.
    oldest, youngest = min(22, holder_age - 18), max(0, holder_age - 45)
    count = rng.choice([0, 1, 1, 2, 2, 3, 4]) if oldest > youngest else 0
    children = sorted(
        (person(rng.choice("FM"), youngest, oldest, holder.last_name) for _ in range(count)),
        key=lambda child: child.birth_date,
    )
    family_situation = (
        rng.choice(["Marié(e)", "Vie maritale", "Pacsé(e)"])
        if couple
        else rng.choice(["Célibataire", "Divorcé(e)", "Séparé(e)", "Veuf(ve)"])
    )
    department = fund_code[:2]
    history_start = add_months(_month_start(today), -HISTORY_MONTHS)
    affiliated_on = history_start - timedelta(days=rng.randint(30, 3000))
    address_since = today - timedelta(days=rng.randint(200, 2500))
    previous_addresses = []
    moved_out = address_since
    for _ in range(rng.randint(0, 2)):
        moved_in = moved_out - timedelta(days=rng.randint(300, 1500))
        previous_addresses.append(
            (
                f"{fake.street_address()}, {department}{rng.randint(0, 20):03d} {fake.city()}",
                moved_in,
                moved_out,
            )
        )
        moved_out = moved_in

    tenant = rng.random() < 0.75
    housing = Housing(
        status=rng.choice(["Locataire — parc privé", "Locataire — logement social (HLM)"])
        if tenant
        else rng.choice(["Propriétaire accédant", "Hébergé à titre gratuit"]),
        rent=_money(rng, 380, 1150) if tenant else Decimal("0"),
        charges=_money(rng, 30, 160) if tenant else Decimal("0"),
        landlord=(fake.company() if rng.random() < 0.5 else f"{fake.first_name()} {fake.last_name()}")
        if tenant
        else "",
        since=address_since,
    )

    working = rng.random() < 0.65
    base_income = rng.randint(0, 32000) if working else rng.randint(0, 6000)
    annual_income = {
        year: Decimal(max(0, base_income + rng.randint(-2500, 2500)))
        for year in range(today.year - 4, today.year)
    }
    quarterly_income = []
    for index in range(8, 0, -1):
        quarter_start = add_months(_month_start(today), -3 * index - (today.month - 1) % 3)
        earnings = _money(rng, 0, max(1, base_income // 4)) if working else Decimal("0")
        other = _money(rng, 0, 900) if rng.random() < 0.3 else Decimal("0")
        quarterly_income.append((quarter_start, earnings, other))

    household = Household(
        fund_code=fund_code,
        number=number,
        today=today,
        holder=holder,
        partner=partner,
        children=children,
        family_situation=family_situation,
        street=fake.street_address(),
        postal_code=f"{department}{rng.randint(0, 20):03d}",
        city=fake.city(),
        address_since=address_since,
        previous_addresses=previous_addresses,
        affiliated_on=affiliated_on,
        housing=housing,
        annual_income=annual_income,
        quarterly_income=quarterly_income,
    )
    _add_rights(household, rng, history_start, low_income=base_income < 14000, working=working)
    _add_payments(household)
    _add_debts(household, rng)
    _add_letters(household, rng, fake, history_start)
    if any(right.benefit == "RSA" for right in household.rights):
        household.rsa_orientation = rng.choice(
            ["Sociale", "Professionnelle (France Travail)", "Socioprofessionnelle"]
        )
        household.rsa_referent = f"{fake.first_name()} {fake.last_name()}, {rng.choice(['CCAS', 'Conseil départemental', 'France Travail'])}"
    return household


def _add_rights(
    household: Household, rng: random.Random, history_start: date, *, low_income: bool, working: bool
) -> None:
    today = household.today

    def opened(min_months_ago: int = 1) -> date:
        return add_months(history_start, rng.randint(0, HISTORY_MONTHS - min_months_ago))

    young = [child for child in household.children if child.age_on(today) < 20]
    if len(young) >= 2:
        amount = Decimal("148.52") + Decimal("190.26") * (len(young) - 2)
        household.rights.append(Right("AF", "Allocations familiales", opened(), None, amount))
    toddlers = [child for child in household.children if child.age_on(today) < 3]
    for child in toddlers:
        start = add_months(_month_start(child.birth_date), 1)
        household.rights.append(
            Right("PAJE", f"PAJE — allocation de base ({child.first_name})", start, None, Decimal("184.81"))
        )
    if household.housing.rent:
        benefit, label = (
            ("APL", "Aide personnalisée au logement")
            if "HLM" in household.housing.status or rng.random() < 0.5
            else ("ALS", "Allocation de logement sociale")
            if not young
            else ("ALF", "Allocation de logement familiale")
        )
        amount = max(Decimal("15"), (household.housing.rent * Decimal("0.45")).quantize(Decimal("0.01")))
        household.rights.append(Right(benefit, label, opened(), None, amount))
    if low_income:
        start = opened()
        end = None if rng.random() < 0.8 else add_months(start, rng.randint(3, 12)) - timedelta(days=1)
        household.rights.append(
            Right(
                "RSA",
                "Revenu de solidarité active",
                start,
                end if end and end < today else None,
                _money(rng, 120, 900),
            )
        )
    if working and rng.random() < 0.6:
        household.rights.append(Right("PA", "Prime d'activité", opened(), None, _money(rng, 60, 420)))
    if rng.random() < 0.05:
        household.rights.append(
            Right("AAH", "Allocation aux adultes handicapés", opened(), None, Decimal("1016.05"))
        )


def _add_payments(household: Household) -> None:
    """Monthly payments on the 5th of the following month, plus the school-year allowance each August."""
    first = min((right.start for right in household.rights), default=household.today)
    month = _month_start(first)
    last_paid_month = add_months(
        _month_start(household.today), -1 if household.today.day >= PAYMENT_DAY else -2
    )
    while month <= last_paid_month:
        paid_on = add_months(month, 1).replace(day=PAYMENT_DAY)
        for right in household.rights:
            if right.open_in(month):
                household.payments.append(
                    Payment(paid_on, month, right.benefit, right.label, right.monthly_amount)
                )
        if month.month == 8:
            pupils = [c for c in household.children if 6 <= c.age_on(date(month.year, 12, 31)) <= 18]
            if pupils:
                household.payments.append(
                    Payment(
                        month.replace(day=20),
                        month,
                        "ARS",
                        "Allocation de rentrée scolaire",
                        Decimal("423.48") * len(pupils),
                    )
                )
        month = add_months(month, 1)
    household.payments.sort(key=lambda payment: (payment.paid_on, payment.benefit))


def _add_debts(household: Household, rng: random.Random) -> None:
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        right = rng.choice(household.rights) if household.rights else None
        nature = f"Indu {right.benefit}" if right else "Indu prestations familiales"
        initial = _money(rng, 80, 2400)
        remaining = (initial * Decimal(rng.randint(0, 90)) / 100).quantize(Decimal("0.01"))
        notified = household.today - timedelta(days=rng.randint(20, 700))
        deduction = min(remaining, _money(rng, 20, 120)) if remaining else Decimal("0")
        household.debts.append(Debt(nature, notified, initial, remaining, deduction))


LETTER_SUBJECTS = [
    ("Notification de droit", "Envoyé"),
    ("Demande de pièces justificatives", "Envoyé"),
    ("Attestation de quotient familial", "Envoyé"),
    ("Déclaration trimestrielle de ressources", "Reçu"),
    ("Changement de situation", "Reçu"),
    ("Avis de paiement", "Envoyé"),
    ("Justificatif de domicile", "Reçu"),
]


def _add_letters(household: Household, rng: random.Random, fake: Faker, history_start: date) -> None:
    span = (household.today - history_start).days
    for _ in range(rng.randint(2, 9)):
        subject, direction = rng.choice(LETTER_SUBJECTS)
        household.letters.append(
            Letter(history_start + timedelta(days=rng.randint(0, span)), subject, direction)
        )
    household.letters.sort(key=lambda letter: letter.sent_on, reverse=True)
