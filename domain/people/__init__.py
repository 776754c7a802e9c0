"""Who FitZap serves: businesses and their settings, panel logins, staff, clients, phone identities and erasure."""
