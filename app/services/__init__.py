"""I/O around the pure game: keyword-only functions that take the session first."""
