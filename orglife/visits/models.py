"""Models of orglife.visits (see orglife/models.py)."""
