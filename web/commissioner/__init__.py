"""The commissioning agency's pages: the returns of the services it commissions, read-only, with comments."""
