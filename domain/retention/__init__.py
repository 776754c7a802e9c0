"""Retention: a gym's history imported from its previous system, churn risk and win-back campaigns."""
