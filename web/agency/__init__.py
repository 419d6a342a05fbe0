"""The agency's pages of its return: the task list, each standard, check and submit, replies to QA."""
