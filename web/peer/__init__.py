"""The named peer reviewer's pages: their reviews, and one return read-only with the review form."""
