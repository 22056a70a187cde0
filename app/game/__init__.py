"""The game's pure core: no web framework, no database, no I/O."""
