"""What the outer layers share, below them: settings, the per-loop Runtime, wake-ups (Dramatiq), rate limits, group commit."""
