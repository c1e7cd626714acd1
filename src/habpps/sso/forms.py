"""The form of a service's OIDC client, in the administrator's words."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from habpps.sso.services import ClientSettings

_url = URLValidator(schemes=["https", "http"])


def _urls(text: str, label: str) -> list[str]:
    urls = [line.strip() for line in text.splitlines() if line.strip()]
    for url in urls:
        try:
            _url(url)
        except ValidationError as error:
            raise ValidationError(
                _("« %(url)s » n'est pas une adresse web valide (%(label)s)."), params={"url": url, "label": label}
            ) from error
        if "#" in url:
            raise ValidationError(_("« %(url)s » : une adresse de retour ne contient pas de « # »."), params={"url": url})
    return urls


class ClientForm(forms.Form):
    redirect_uris = forms.CharField(
        label=_("Adresses de retour après connexion"),
        help_text=_("Une adresse par ligne, exactement comme le service les envoie (https://…/callback)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    post_logout_redirect_uris = forms.CharField(
        label=_("Adresses de retour après déconnexion"),
        help_text=_("Une adresse par ligne ; facultatif."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    backchannel_logout_uri = forms.URLField(
        label=_("Adresse de déconnexion par canal arrière"),
        help_text=_(
            "Habpps y prévient le service quand la personne se déconnecte, est inactive trop longtemps, est "
            "suspendue ou perd son dernier profil du service ; facultatif."
        ),
        required=False,
        assume_scheme="https",
    )
    confidential = forms.TypedChoiceField(
        label=_("Type de client"),
        choices=[
            ("1", _("Confidentiel : un serveur qui garde un secret")),
            ("0", _("Public : une application sans secret (navigateur, mobile), avec PKCE")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )

    def clean_redirect_uris(self) -> list[str]:
        urls = _urls(self.cleaned_data["redirect_uris"], _("retour après connexion"))
        if not urls:
            raise ValidationError(_("Indiquez au moins une adresse de retour."))
        return urls

    def clean_post_logout_redirect_uris(self) -> list[str]:
        return _urls(self.cleaned_data["post_logout_redirect_uris"], _("retour après déconnexion"))

    def settings(self) -> ClientSettings:
        data = self.cleaned_data
        return ClientSettings(
            redirect_uris=data["redirect_uris"],
            post_logout_redirect_uris=data["post_logout_redirect_uris"],
            backchannel_logout_uri=data["backchannel_logout_uri"],
            confidential=data["confidential"],
        )

    @classmethod
    def initial_for(cls, client) -> dict:
        app = client.application
        return {
            "redirect_uris": "\n".join(app.redirect_uris.split()),
            "post_logout_redirect_uris": "\n".join(app.post_logout_redirect_uris.split()),
            "backchannel_logout_uri": client.backchannel_logout_uri,
            "confidential": "1" if client.confidential else "0",
        }
