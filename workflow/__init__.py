"""The audit engine: lifecycles, rules and operations; every door (web, scheduler, CLI) calls these."""
