"""Pages of the directory, grouped by what they administer."""
