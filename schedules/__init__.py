"""The scheduler: the jobs it runs (`jobs`) and the process that runs them (`runner`)."""
