"""Conventions between a fund and a partner (CNV-1..6): the contract that alone opens a partner's access.

A convention is entered by a fund administrator, checked by a verifier of the same fund (four eyes) and only a
validated version takes effect; amendments are new versions verified again while the validated one stays in
force; termination and expiry withdraw what it granted.
"""
