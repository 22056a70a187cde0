"""Downhill: a classroom game that teaches gradient descent by making students do it."""
