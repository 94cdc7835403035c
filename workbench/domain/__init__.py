"""Plain value types of the study: no I/O, no database, no Qt."""
