"""Stage 2: estimate each model's training compute and classify it against 1e25 FLOP."""
