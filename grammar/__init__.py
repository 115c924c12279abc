"""The expression grammar (package data)."""
