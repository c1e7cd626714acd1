"""Before/after pictures of directory rows for the journal (AUD-1): the authorization app's, shared."""

from habpps.authorization.records import SECRET_FIELDS, as_record, target_of

__all__ = ["SECRET_FIELDS", "as_record", "target_of"]
