"""Static drift signals, one module per kind, and the grouping into review units."""
