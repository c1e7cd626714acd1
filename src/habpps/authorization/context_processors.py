"""Template context shared by every page: the site title and the viewer's menu."""

from __future__ import annotations

from django.conf import settings

from habpps.authorization.menu_groups import grouped
from habpps.authorization.menus import menu_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    menu = menu_for(user, request.path) if user is not None and user.is_authenticated else []
    return {"site_title": settings.HABPPS_SITE_TITLE, "main_menu": menu, "menu_items": grouped(menu)}
