"""The staff survey's pages: staff answering through an agency's anonymous link (`answering`), the
coordinator's settings, links and import (`setup`), the agency's own link and count (`agency`),
and the triangulation report (`report`)."""
