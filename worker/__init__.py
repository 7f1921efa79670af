"""The worker: one cycle (collect, estimate, refresh, mirror, report) and the scheduler
that runs it, with a heartbeat for the container's health check."""
