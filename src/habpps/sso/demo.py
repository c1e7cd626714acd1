"""The demo's example service: the catalogue's CDAP registered as a public OIDC client whose redirect and
back-channel addresses are the example pages (``/sso/exemple/``) of the server the demo starts."""

from __future__ import annotations

from habpps.directory.models import Service
from habpps.sso.models import ServiceClient
from habpps.sso.services import ClientSettings, register_client, update_client

EXAMPLE_SERVICE_CODE = "cdap"


def example_settings(host: str, port: int) -> ClientSettings:
    hosts = sorted({host, "127.0.0.1", "localhost"} - {"0.0.0.0", "::", ""})
    bases = [f"http://{name}:{port}" for name in hosts]
    return ClientSettings(
        redirect_uris=[f"{base}/sso/exemple/retour/" for base in bases],
        post_logout_redirect_uris=[f"{base}/sso/exemple/" for base in bases],
        backchannel_logout_uri=f"http://127.0.0.1:{port}/sso/exemple/canal-arriere/",
        confidential=False,
    )


def ensure_example_client(host: str, port: int) -> ServiceClient | None:
    """Register (or point at this server) the example client; the system acts, as for the rest of the seed."""
    service = Service.objects.filter(code=EXAMPLE_SERVICE_CODE).first()
    if service is None:
        return None
    client = ServiceClient.objects.filter(service=service).first()
    if client is None:
        client, _secret = register_client(None, service, example_settings(host, port))
        return client
    return update_client(None, client, example_settings(host, port))
