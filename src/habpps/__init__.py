"""Habpps — habilitation platform of the « Mon Compte Partenaire » partner portal.

`habpps.engine` and `habpps.roleeng` are pure Python; the other sub-packages are Django apps that store and
present what the engine decides.
"""

__version__ = "0.1.0"
