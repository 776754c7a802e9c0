"""SQL plumbing shared by the domain: engines and sessions, portable column types, upserts, array parameters."""
