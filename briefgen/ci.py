"""What CI runs per audience: the GitHub job matrix and the GitLab child pipeline.

Both come from the configuration's audiences, so a CI file never lists them by
hand. `briefgen matrix` prints the one or the other; the scaffolded workflows
(`briefgen init`) read it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from briefgen.audience import Audience
from briefgen.plan import output_names

IMAGE = "python:3.12"
"""The GitLab image: the full one, which has git and Debian's date."""
PIP_CACHE = ".cache/pip"
"""Where GitLab jobs keep pip's downloads, inside the project so that GitLab can cache them."""
INSTALL = [
    "apt-get update && apt-get install -y --no-install-recommends"
    " libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core",
    "pip install -r requirements.txt",
]
"""Install Pango and the briefgen that requirements.txt pins."""
DATED_BY_THE_COMMIT = [
    'test -n "$CI_COMMIT_TIMESTAMP" || { echo "CI_COMMIT_TIMESTAMP is empty" >&2; exit 1; }',
    'SOURCE_DATE_EPOCH="$(date -d "$CI_COMMIT_TIMESTAMP" +%s)"',
    "export SOURCE_DATE_EPOCH",
]
"""Date the build by the commit, so a rebuild of the same commit gives the same bytes.

An empty `CI_COMMIT_TIMESTAMP` fails the job: `date -d ""` would quietly give today."""


def matrix_rows(audiences: Sequence[Audience]) -> list[dict[str, str]]:
    """One row per audience: its name, its file name in each of its formats, and `paths`.

    `paths` lists the files a build job keeps, one a line: the audience's
    files and the manifest.
    """
    rows = []
    for audience in audiences:
        names = output_names(audience)
        kept = [f"out/{name}" for name in names] + ["out/manifest.json"]
        files = dict(zip(audience.formats, names, strict=True))
        rows.append({"audience": audience.name, **files, "paths": "\n".join(kept)})
    return rows


def github_matrix(audiences: Sequence[Audience]) -> str:
    """A GitHub Actions job matrix, `{"include": [rows]}`, as one line of JSON."""
    return json.dumps({"include": matrix_rows(audiences)}, separators=(",", ":"))


def gitlab_child_pipeline(audiences: Sequence[Audience]) -> str:
    """A GitLab child pipeline with one build job per audience, as JSON (valid YAML).

    Each job installs briefgen from requirements.txt, restores and saves its
    audience's last manifest, builds the audience dated by the commit and keeps
    its files as artifacts.
    """
    document: dict[str, object] = {
        "default": {"image": IMAGE, "before_script": INSTALL},
        "variables": {"PIP_CACHE_DIR": f"$CI_PROJECT_DIR/{PIP_CACHE}"},
    }
    for row in matrix_rows(audiences):
        name = row["audience"]
        document[f"build-{name}"] = {
            "variables": {"AUDIENCE": name},
            "cache": [
                {"key": {"files": ["requirements.txt"]}, "paths": [PIP_CACHE]},
                {"key": f"manifest-{name}", "paths": ["out/manifest.json"]},
            ],
            "script": [
                *DATED_BY_THE_COMMIT,
                'briefgen build --audience "$AUDIENCE" --strict --force',
            ],
            "artifacts": {
                "name": f"brief-{name}",
                "paths": row["paths"].splitlines(),
                "expire_in": "90 days",
            },
        }
    return json.dumps(document, indent=2)
