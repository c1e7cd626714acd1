"""Actions on conventions (CNV-1..6): the web pages, the command line and the demo call these, nothing else
writes a convention. Each checks its permission with the engine and journals before/after."""

from habpps.conventions.services.ending import expire_due, terminate
from habpps.conventions.services.entry import (
    amend,
    cancel,
    check_instructor_number,
    create_convention,
    receive_documents,
    record_paper_step,
    request_documents,
    resume,
    set_bulletin,
    submit,
    update_version,
    withdraw,
)
from habpps.conventions.services.verification import VerificationRefused, reject_version, validate_version

__all__ = [
    "VerificationRefused",
    "amend",
    "cancel",
    "check_instructor_number",
    "create_convention",
    "expire_due",
    "receive_documents",
    "record_paper_step",
    "reject_version",
    "request_documents",
    "resume",
    "set_bulletin",
    "submit",
    "terminate",
    "update_version",
    "validate_version",
    "withdraw",
]
