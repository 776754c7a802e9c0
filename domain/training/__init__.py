"""Training: the exercise library, programs and meal plans, what clients log, their records,
measurements, streaks and challenges."""
