"""Models of orglife.meetings (see orglife/models.py)."""
