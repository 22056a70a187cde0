"""JSON routes: the same services as the pages, JSON out."""
