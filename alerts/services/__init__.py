"""Every write of the clock engine: deadlines, the sweep, the outbox, delivery, notifications."""
