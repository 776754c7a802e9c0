"""`fitzap bench`: start the real stack locally, load it with signed webhooks, print figures."""
