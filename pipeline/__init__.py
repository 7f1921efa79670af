"""tracker's domain and local data: collection, estimation and curation of the 1e25 FLOP list."""
