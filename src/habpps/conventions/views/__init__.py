"""Pages of the conventions module: one work queue per actor and the convention page with its versions."""
