"""Business logic as plain functions with keyword-only arguments and an explicit session."""
