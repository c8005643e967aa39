"""briefgen's bundled fonts: the faces its built-in stylesheet sets a PDF in.

Font files only, one folder per family with its licence; README.md here names
their source and version. No code but the folder's location.
"""

from pathlib import Path

FOLDER = Path(__file__).parent
"""The folder holding the bundled font files."""
