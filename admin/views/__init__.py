"""The panel's pages: one module per page, each with its own `routes` table."""
