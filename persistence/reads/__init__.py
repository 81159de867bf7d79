"""Read-side queries: keyset pages and the batch loads behind DataLoaders.

Each function takes its own short-lived session (see `api.loaders`): GraphQL
resolves fields concurrently, and one AsyncSession must never be shared by
concurrent coroutines.
"""
