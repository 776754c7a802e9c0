"""The Dramatiq actors' work: taking turns, delivering (claim → send → record), the sweeper and scheduled work."""
