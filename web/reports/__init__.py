"""The Board's pages: progress, ratings, year on year, action plans, and their files."""
