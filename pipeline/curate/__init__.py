"""Stage 3: the candidates and below tables, their validation, plans and queries."""
