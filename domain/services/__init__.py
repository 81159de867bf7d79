"""Use cases: each takes a unit of work, an actor and plain values, enforces
the rules and leaves committing to the caller."""
