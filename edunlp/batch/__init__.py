"""Many files: the local batch job with its output lock (jobs) and the Ray engine (distributed)."""
