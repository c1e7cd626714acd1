"""One router per domain of the API; ``habpps.api.api`` mounts them under ``/api/v1/``."""
