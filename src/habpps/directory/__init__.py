"""The directory of the network (ADM-1..7): funds, services and their access profiles, partner types and the
national doctrine, partner organisations, their groups and accounts — and the policy the engine compiles from
them (ENG-11).

The database is the source of truth; every administrative change goes through `habpps.directory.services`,
which journals it and bumps the policy version in the same transaction.
"""
