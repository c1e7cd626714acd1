"""`habpps serve`: serve the platform with gunicorn (several worker processes; ENG-11 keeps them in step).

``habpps serve --decisions`` serves only the decision endpoints — AuthZEN 1.0 and ``/api/v1/decisions`` — from
the platform's database with the lean decision server (``habpps.pdp``), for the processes the reverse proxy
routes those paths to (``docs/deploy.md``).
"""

from __future__ import annotations

import argparse
import os
import sys

THREADS = 4
"""Threads per decision-server process (``--threads``, ``HABPPS_THREADS``); see ``bench/README.md``."""


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=os.environ.get("HABPPS_HOST", "127.0.0.1"), help="adresse d'écoute")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("HABPPS_PORT", "8000")), help="port d'écoute (8000)"
    )
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("HABPPS_WORKERS", "2")), help="processus (2)"
    )
    parser.add_argument(
        "--threads", type=int, default=int(os.environ.get("HABPPS_THREADS", str(THREADS))),
        help=f"fils par processus des serveurs de décision ({THREADS})",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="servir la plate-forme (gunicorn)")
    add_server_arguments(parser)
    parser.add_argument("--migrate", action="store_true", help="appliquer les migrations avant de servir")
    parser.add_argument(
        "--decisions", action="store_true",
        help="ne servir que les décisions (AuthZEN et /api/v1/decisions), serveur allégé",
    )
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    if args.decisions:
        return exec_decision_server(
            "habpps.pdp.db_app:application", args, {"DJANGO_SETTINGS_MODULE": "habpps.api.decision_settings"}
        )
    return run_server(args)


def portal_url(host: str, port: int) -> str:
    """The address a person types to reach a server listening on ``host``:``port``."""
    if host in ("", "0.0.0.0", "::"):
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def run_server(args: argparse.Namespace) -> int:
    """Replace this process by gunicorn serving ``habpps.wsgi`` (signals and exit code are gunicorn's).

    Mails name the portal's address: unless the deployment set ``HABPPS_PORTAL_URL``, it is the address served.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")
    os.environ.setdefault("HABPPS_PORTAL_URL", portal_url(args.host, args.port))
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "habpps.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "5",
    ]
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0  # pragma: no cover — execv does not return


WORKER_CLASS = "gthread"
"""gunicorn worker of the decision servers: threads keep callers' connections alive (``bench/README.md``)."""


def exec_decision_server(app: str, args: argparse.Namespace, env: dict[str, str]) -> int:
    """Replace this process by gunicorn serving the lean decision ``app`` (no access log: the hot path)."""
    os.environ.update(env)
    command = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"{args.host}:{args.port}",
        "--workers", str(args.workers),
        "--worker-class", WORKER_CLASS,
        "--threads", str(getattr(args, "threads", THREADS)),
        "--graceful-timeout", "5",
    ]
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0  # pragma: no cover — execv does not return
