"""The partner's delegated administration (ADM-4): pages and actions of partner administrators and delegates,
bounded by the partner's validated convention (``habpps.conventions``) and by what each was delegated."""
