"""Accounts of the portal: who may log in, for which organisation (ADM-5), and the plain login/logout.

The authentication policy of the slides (password rules, freeze, forced change, second factor: AUT-1..8)
builds on the `Account` model defined here.
"""
