"""« Are you sure? » without JavaScript: a destructive button first shows a page saying what will be lost.

The button on the page posts to its action; without the ``confirme`` field, the action answers with this page
(title, consequence, the same form with ``confirme=1``, and « Annuler »); only the confirmed post changes anything.
"""

from __future__ import annotations

from django.shortcuts import render

CONFIRMED = "confirme"


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def confirmation_page(request, *, title: str, consequence: str, verb: str, cancel_url: str):
    return render(
        request,
        "directory/action_confirm.html",
        {"title": title, "consequence": consequence, "verb": verb, "cancel_url": cancel_url, "action": request.path},
    )
