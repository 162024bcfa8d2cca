"""Victim and missing-person registry: organisations' lists, their records and linkage."""
