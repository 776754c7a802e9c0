"""What automated work says and does: reminders, follow-ups, no-shows and the trainer's digest."""
