"""The demo's extended model of time, context and data scoping (ENG-5, ENG-8), seeded through the same services
as the pages: a time-bound habilitation ending next month, a contextual constraint on CDAP hours, population rules
per profile and per-profile daily ceilings of CDAP lookups."""

from __future__ import annotations

import calendar
from datetime import date

from habpps.authorization import scope_services
from habpps.authorization.access_windows import Window
from habpps.directory import services
from habpps.directory.models import Group, ServiceRole

WORKING_HOURS = "heures ouvrées de la CDAP"
DAILY_CEILINGS = {"cdap-ass-cesf": 120, "cdap-instructeur-rsa-cpam": 80, "cdap-prestataire-action-sociale": 40}


def end_of_next_month(today: date) -> date:
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, calendar.monthrange(year, month)[1])


def seed_demo_scope(person, today: date | None = None) -> None:
    """``person(organisation, *roles)`` creates a demo account (the demo network's own helper)."""
    today = today or date.today()
    # ENG-5 temporal: a reinforcement group of the first partner, its profile ending next month.
    first = Group.objects.order_by("pk").first()
    if first is not None:
        partner = first.partner
        profile = first.role_assignments.current().first().role
        group = services.create_group(None, partner, name="Renfort temporaire",
                                      description="Agents en renfort jusqu'à la fin du mois prochain")
        services.assign_group_role(None, group, profile, Window(valid_until=end_of_next_month(today)))
        services.add_group_member(None, group, person(partner))
    # ENG-5 contextual: payments' debts consulted only on working days, 7:00–20:00.
    scope_services.save_attribute(None, None, name="heure", function="current_time")
    scope_services.save_attribute(None, None, name="jour", function="weekday")
    constraint = scope_services.save_constraint(None, None, name=WORKING_HOURS, conditions=[
        {"operator": "between", "operands": [{"attribute": "heure"}, "07:00", "20:00"]},
        {"operator": "in", "operands": [{"attribute": "jour"}, [1, 2, 3, 4, 5]]},
    ])
    scope_services.link_permission(None, "consulter", "cdap.section.creances", constraint)
    # ENG-8: which accounts, partners, conventions and journal entries each administrative profile's lists show
    # are seeded by migration authorization 0008 — every list filters through them (habpps.authorization.scoping).
    roles = {role.code: role for role in ServiceRole.objects.all()}
    # ENG-8: per-profile daily ceilings of CDAP lookups, and at most 200 records per query.
    for code, ceiling in DAILY_CEILINGS.items():
        if code in roles:
            scope_services.set_action_limits(None, roles[code], "cdap.consulter-dossier", max_per_day=ceiling,
                                             max_records=200)
    scope_services.set_field_rule(None, roles["cdap-ass-cesf"], resource="dossiers-cdap", field="iban",
                                  access="read", when=constraint)

