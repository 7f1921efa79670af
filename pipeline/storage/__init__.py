"""Files on disk: atomic writes, JSON documents and CSV tables that keep unchanged cells' text."""
