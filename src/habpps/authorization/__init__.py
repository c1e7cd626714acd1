"""Authorization: the one home of the platform's link to the engine.

The extended RBAC model stored in the database (hierarchy, separation of duty, exclusions and their approvals,
time-bound and contextual constraints, data scoping, administrative roles), its replay into the engine, the
policy cache and change log, and the decisions, menus and access mixins the domain apps plug into. The engine
(`habpps.engine`) decides; this app stores, builds and asks.
"""
