"""Models of orglife.posts (see orglife/models.py)."""
