"""The output formats a brief is built into, in the order an audience's files are listed.

A module of its own, with no imports, so that the command line can offer the
formats as choices without loading the pipeline.
"""

FORMATS: tuple[str, ...] = ("html", "pdf", "docx", "md")
DEFAULT_FORMATS: tuple[str, ...] = ("html", "pdf")
"""What an audience is built into unless the configuration lists its formats."""
PANDOC_FORMATS: tuple[str, ...] = ("docx", "md")
"""The editions Pandoc writes (the optional extra briefgen[docx])."""
