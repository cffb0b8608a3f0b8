"""One blueprint package per audience."""
