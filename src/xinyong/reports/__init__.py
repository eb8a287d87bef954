"""Feedback reporting: monthly statistics of checks, measures and lists; typical cases."""
