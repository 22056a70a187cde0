"""HTML routes: read input, call a service, render a page."""
