"""Inspection results: the filled results sheet, checking it, progress, corrections, status and visits."""
