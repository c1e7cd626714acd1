"""Template context shared by every page: the site title and the viewer's menu."""

from __future__ import annotations

from django.conf import settings

from habpps.authorization.menu_groups import grouped
from habpps.authorization.menus import menu_for
from habpps.authorization.session_views import role_switcher


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    menu = menu_for(user, request.path) if signed_in else []
    return {
        "site_title": settings.HABPPS_SITE_TITLE,
        "main_menu": menu,
        "menu_items": grouped(menu),
        "role_switcher": role_switcher(request) if signed_in else None,
    }
