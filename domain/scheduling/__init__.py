"""The calendar and what pays for it: services and hours, availability, personal bookings, classes and
their waitlists, series, check-ins, credits and memberships."""
