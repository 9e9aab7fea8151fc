"""vaultfollow: interview follow-ups kept true in a Markdown vault."""

__version__ = "0.1.0"
