"""The role-engineering workbench on the web (RE-1..7): stored role models, mining runs and gap analysis.

The logic lives in :mod:`habpps.roleeng` (pure Python); this app stores models and runs, reads the directory's
policy and the journal, and shows it all in DSFR pages usable without JavaScript.
"""
