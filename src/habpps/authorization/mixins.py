"""What the directory's pages share: engine-decided access, action error handling, search and pagination."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.translation import gettext as _

from habpps.authorization.decisions import AccessRefused, require
from habpps.authorization.permissions import Permission
from habpps.engine import RBACError


class EngineAccessMixin(LoginRequiredMixin):
    """A page reached only by who holds ``permission`` in the unit ``get_permission_org`` names.

    Anyone else gets a 404, the same answer as for an object that does not exist, so that the scope of other
    funds and partners is not even revealed (ADM-2).
    """

    permission: Permission | None = None

    def get_permission_org(self) -> str | None:
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.check_access()
        return super().dispatch(request, *args, **kwargs)

    def check_access(self) -> None:
        if self.permission is not None:
            require(
                self.request.user, self.permission.operation, self.permission.obj, self.get_permission_org()
            )


def run_action(request, form, action) -> bool:
    """Run an administrative action for a form: a refused rule shows next to its field, an engine refusal
    (constraint, exclusion) shows its explanation, a refused permission is a 404. Returns True on success."""
    try:
        action()
    except AccessRefused as refusal:
        raise Http404 from refusal
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    except RBACError as refusal:
        form.add_error(None, str(refusal))
        messages.error(request, str(refusal))
        return False
    return True


def paginate(request, queryset, *, extra_params: dict | None = None) -> dict:
    """Context for a paginated, searchable list: ``page_obj``, ``q`` and the query string of other pages."""
    page_obj = Paginator(queryset, settings.HABPPS_PAGE_SIZE).get_page(request.GET.get("page"))
    params = {key: value for key, value in (extra_params or {}).items() if value}
    q = request.GET.get("q", "").strip()
    if q:
        params["q"] = q
    return {"page_obj": page_obj, "q": q, "query_string": urlencode(params) + "&" if params else ""}


def held_message(request, result) -> bool:
    """When ``result`` is a change a ``require_approval`` exclusion held (ENG-7), say so and return True."""
    from habpps.authorization.separation_models import PendingApproval

    if not isinstance(result, PendingApproval):
        return False
    lead = _("Changement en attente d'approbation par un second administrateur : ")
    why = result.message.removeprefix(lead)  # the engine's explanation may already begin with these words
    messages.warning(request, lead + why)
    return True
