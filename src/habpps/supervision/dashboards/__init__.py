"""The dashboards' queries, one module each (SUP-1..7): every function takes the viewer's scope and returns
rows computed by the database from the aggregates, the scope being part of the query."""
