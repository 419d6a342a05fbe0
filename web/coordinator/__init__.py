"""The coordinator's pages: agencies, people, templates, cycles, progress, QA picks, e-mail delivery."""
