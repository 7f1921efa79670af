"""Stage 1: read leaderboards and manual exports into ``data/scraped/<source>_models.json``."""
