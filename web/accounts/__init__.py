"""Signing in and out, the e-mailed links that set a password, and the home page after signing in."""
