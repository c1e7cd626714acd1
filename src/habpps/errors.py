"""French error pages (403, 404, 500) with the site header, the viewer's menu and a way back.

Django's own pages are bare English documents. These render ``errors/<code>.html`` through the site's base
template with the request, so the header, the menu and the CSP nonce of the DSFR script are all there. The API
keeps Django's plain answers (its clients read status codes, not pages). A 500 page must never fail itself: if
rendering with the full context raises, a minimal French page is returned instead.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.views import defaults

logger = logging.getLogger(__name__)

_MINIMAL_500 = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Erreur du service</title></head>
<body><h1>Le service a rencontré une erreur</h1><p>Votre demande n'a pas abouti et rien n'a été modifié.
Réessayez dans quelques instants ; si l'erreur persiste, prévenez votre administrateur.</p>
<p><a href="/">Revenir à l'accueil</a></p></body></html>"""


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _page(request, status: int, title: str) -> HttpResponse:
    return render(request, f"errors/{status}.html", {"title": title}, status=status)


def forbidden(request, exception=None):
    if _is_api(request):
        return defaults.permission_denied(request, exception)
    return _page(request, 403, "Accès refusé")


def not_found(request, exception=None):
    if _is_api(request):
        return defaults.page_not_found(request, exception)
    return _page(request, 404, "Page introuvable")


def server_error(request):
    if _is_api(request):
        return defaults.server_error(request)
    try:
        return _page(request, 500, "Erreur du service")
    except Exception:  # the page of last resort must not fail in turn
        logger.exception("page d'erreur 500 impossible à afficher")
        return HttpResponseServerError(_MINIMAL_500)


def csrf_failure(request, reason: str = ""):
    """A form posted without its security token (page left open too long, cookies refused): a French 403."""
    if _is_api(request):
        return defaults.permission_denied(request, None)
    return _page(request, 403, "Formulaire expiré")
