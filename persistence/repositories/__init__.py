"""Repositories: every query the write side runs, one module per feature."""
