"""Trellis domain: entities, rules, policies and use cases in plain Python.

Nothing here knows about the database, GraphQL or HTTP; the ports in
`domain.ports` are all it needs from the outside world.
"""
