"""Menu entries of the extended model's pages and of the « À approuver » queue (shown by engine decision)."""

from django.utils.translation import gettext_lazy as _

from habpps.authorization.menus import MenuEntry, register, url_to
from habpps.authorization.model_permissions import APPROVE_CHANGES, MANAGE_MODEL
from habpps.authorization.orgs import NATIONAL_UNIT

register(MenuEntry("model", _("Modèle d'habilitation"), MANAGE_MODEL, url_to("authorization:hierarchy"),
                   org=lambda account: NATIONAL_UNIT, order=37))
register(MenuEntry("approvals", _("À approuver"), APPROVE_CHANGES, url_to("authorization:approvals"), order=38))
