"""Outside providers, each behind one small interface with the demo's sandbox beside the real one: payments
(Stripe Checkout) and email (SMTP, `gateways.mail`)."""
