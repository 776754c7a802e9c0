"""The web edge: the WhatsApp webhook (verify, parse, store, wake), health, metrics, the sandbox outbox and calendar feeds."""
