"""The conversation engine: it decides what to say and do through domain services, and does no I/O of its own."""
