"""The lead person's pages: their actions and each action's progress."""
