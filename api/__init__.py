"""The edge: FastAPI app, Strawberry schema, context, auth, CLI."""
