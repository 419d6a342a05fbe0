"""The executive's page: the statement of compliance."""
