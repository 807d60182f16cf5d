"""The classroom game: student teams govern rival cities of one scenario, round by round."""
