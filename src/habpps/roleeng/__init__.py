"""Role-engineering workbench (thesis section 5): pure Python, no Django.

Top-down: scenarios → permissions → tasks → work profiles → role hierarchy (RE-1..4, RE-7).
Bottom-up: role mining from a user–permission assignment and gap analysis (RE-5, RE-6).
"""
