"""What every page shares: the request's database session, who is signed in, forms, templating, errors."""
