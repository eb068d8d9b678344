"""Dela's domain: the method book, its accounts, rendering, import/export and persistence.

Nothing in this package imports Flask; settings, paths and the database session are passed in.
"""
