"""The REST API of Habpps (API-1): another presentation layer over the directory, conventions and journal
services, versioned under ``/api/v1/``, with the decision endpoint (PDP) the portal's other services call."""
