"""Automated work kept in PostgreSQL: due rows planned with the booking that needs them (reminders,
follow-ups, no-show checks, digests), claimed when due, and the session feedback they collect."""
