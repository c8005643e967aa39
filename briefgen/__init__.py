"""briefgen: sourced briefing documents from curated fact files."""

__version__ = "0.2.0"
