"""What every return page shares: forms, the record (actions, history), evidence downloads, helpers."""
