"""Bundled rule packs (package data)."""
