"""Payment providers: Stripe Checkout (the real one) and the demo's sandbox, behind one small interface."""
