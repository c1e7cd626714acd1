"""The back-end adapter of the beneficiary-file port: HTTP/JSON (CDP-8).

``GET {base}/caisses/{fund}/dossiers/{number}?rubriques=a,b`` answers 200 with the file (see ``wire.py``) or
404 when the number is unknown. Whatever else happens — a timeout, a refused connection, a 5xx, an answer that
is not a file or is too large — becomes a ``SourceError`` whose French message the page shows instead of the
file: never a stack trace, never part of a file.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Collection

from habpps.cdap.content import BeneficiaryFile
from habpps.cdap.sources.base import (
    BeneficiaryFileSource,
    InvalidSourceAnswer,
    SourceTimeout,
    SourceUnavailable,
    UnknownBeneficiary,
)
from habpps.cdap.sources.wire import WireError, decode_file

logger = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 5 * 1024 * 1024


class HttpBeneficiaryFileSource(BeneficiaryFileSource):
    def __init__(self, base_url: str, *, timeout: float = 5.0, token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token

    def url(self, fund_code: str, number: str, sections: Collection[str]) -> str:
        path = f"/caisses/{urllib.parse.quote(fund_code, safe='')}/dossiers/{urllib.parse.quote(number, safe='')}"
        return f"{self.base_url}{path}?{urllib.parse.urlencode({'rubriques': ','.join(sections)})}"

    def fetch(self, fund_code: str, number: str, sections: Collection[str]) -> BeneficiaryFile:
        request = urllib.request.Request(
            self.url(fund_code, number, sections), headers={"Accept": "application/json"}
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                body = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise UnknownBeneficiary(number) from None
            logger.warning("CDAP: le back end a répondu %s pour la caisse %s", error.code, fund_code)
            raise SourceUnavailable(f"HTTP {error.code}") from None
        except TimeoutError as error:
            logger.warning("CDAP: délai dépassé (%ss) pour la caisse %s", self.timeout, fund_code)
            raise SourceTimeout(str(error)) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise SourceTimeout(str(error.reason)) from None
            logger.warning("CDAP: back end injoignable pour la caisse %s : %s", fund_code, error.reason)
            raise SourceUnavailable(str(error.reason)) from None
        except (OSError, ValueError) as error:  # connection reset mid-answer, malformed status line
            logger.warning("CDAP: échange interrompu avec le back end : %s", error)
            raise SourceUnavailable(str(error)) from None
        if len(body) > MAX_ANSWER_BYTES:
            raise InvalidSourceAnswer("answer too large")
        try:
            return decode_file(json.loads(body), fund_code, number, sections)
        except (json.JSONDecodeError, UnicodeDecodeError, WireError) as error:
            logger.warning("CDAP: réponse du back end invalide pour la caisse %s : %s", fund_code, error)
            raise InvalidSourceAnswer(str(error)) from None
