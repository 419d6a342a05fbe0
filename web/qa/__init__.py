"""The QA sub-group's pages: the queue and one return with the QA moves."""
