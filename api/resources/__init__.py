"""The API's resources: each module's OPERATIONS joins the route table (api.operations)."""
