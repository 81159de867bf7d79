"""The GraphQL schema, one module per feature."""
