"""What the file pages share: engine-decided access to CDAP and to each section, the open file, and a clear
page instead of a stack trace or a half-rendered file when the source fails."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from habpps.authorization.refusals import constraint_refusal
from habpps.cdap.consultations import OpenFile
from habpps.cdap.permissions import USE_CDAP
from habpps.cdap.sections import granted_sections, may_use_cdap
from habpps.cdap.sources import SourceError, UnknownBeneficiary

SESSION_KEY = "cdap_file"


class CdapAccessMixin(LoginRequiredMixin):
    """A page of the service: anyone without ``acceder cdap`` gets a 404, like for a page that does not exist.

    Sets ``self.sections``: the sections the viewer may see, in order — the only list pages render from.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_use_cdap(request.user):
            return constraint_refusal(request, *USE_CDAP)
        self.sections = granted_sections(request.user)
        return super().dispatch(request, *args, **kwargs)

    def open_file(self) -> OpenFile | None:
        return OpenFile.from_session(self.request.session.get(SESSION_KEY))

    def source_failure(self, error: SourceError):
        """The whole page replaced by the error's French message: nothing of the file is shown."""
        if isinstance(error, UnknownBeneficiary):
            # The file disappeared between the lookup and this page: close it.
            self.request.session.pop(SESSION_KEY, None)
        context = {"title": _("Dossier indisponible"), "message": error.message, "sections": []}
        return render(self.request, "cdap/unavailable.html", context, status=503)


class OpenFileRequiredMixin(CdapAccessMixin):
    """A page of the open file; without one, back to the lookup form."""

    def get(self, request, *args, **kwargs):
        self.opened = self.open_file()
        if self.opened is None:
            return redirect("cdap:lookup")
        response = self.show(request, *args, **kwargs)
        # A beneficiary's data must not stay in shared caches or the browser's history cache.
        patch_cache_control(response, private=True, no_store=True)
        return response

    def show(self, request, *args, **kwargs):  # pragma: no cover - every page defines it
        raise NotImplementedError

    def file_context(self, **extra) -> dict:
        return {"opened": self.opened, "sections": self.sections, **extra}
