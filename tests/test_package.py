"""briefgen as a package: the archives carry everything, and an installed wheel works alone.

The slow tests build the sdist and, from it, the wheel with `python -m build` (into a
temporary folder; nothing is written into the repository), compare both with the files
under `briefgen/`, then install the wheel into a fresh virtualenv outside the repository
and start, check and build a new brief with it. The quick test keeps the version, the
changelog and the README's install commands in step.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from briefgen import __version__
from tests.conftest import REPO
from tests.test_fonts import pdf_fonts

RELEASE = re.compile(r"^## \[(\d+)\.(\d+)\.(\d+)\](?: - (\d{4}-\d{2}-\d{2}))?$", re.MULTILINE)
"""A release heading of CHANGELOG.md: `## [0.2.0] - 2026-11-29`."""


def files_under(folder: Path) -> set[str]:
    """Every file under `folder` as a repository-relative POSIX path, bytecode left out."""
    return {
        path.relative_to(REPO).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def under(names: set[str], folder: str) -> set[str]:
    return {name for name in names if name.startswith(f"{folder}/")}


def readme_section(heading: str) -> str:
    """The README's text from `heading` to the next section of the same level."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"\n{heading}\n")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end != -1 else None]


def embedded_faces(pdf: Path) -> set[str]:
    """The PostScript names of the font programs a PDF embeds."""
    programs = pdf_fonts(PdfReader(pdf)).values()
    return {TTFont(io.BytesIO(data))["name"].getDebugName(6) for data in programs if data}


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel and the sdist of this checkout, built as a release would be."""
    out = tmp_path_factory.mktemp("dist")
    leftovers = [REPO / "build", REPO / "dist"]
    before = [path.exists() for path in leftovers]
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert [path.exists() for path in leftovers] == before, "the build left build/ or dist/"
    (wheel,) = out.glob(f"briefgen-{__version__}-*.whl")
    (sdist,) = out.glob(f"briefgen-{__version__}.tar.gz")
    return wheel, sdist


@pytest.mark.slow
def test_the_wheel_and_the_sdist_carry_every_file_of_the_package(archives):
    wheel, sdist = archives
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
        entry_points = archive.read(f"briefgen-{__version__}.dist-info/entry_points.txt").decode()
    top = f"briefgen-{__version__}/"
    with tarfile.open(sdist) as archive:
        in_sdist = {m.name.removeprefix(top) for m in archive.getmembers() if m.isfile()}

    package = files_under(REPO / "briefgen")
    # Templates, stylesheet, fonts and every scaffold file (dot-named ones stored under
    # plain names, sub-folders) are there, and nothing else: no bytecode, no stray files.
    assert under(in_wheel, "briefgen") == package
    assert under(in_sdist, "briefgen") == package
    for needed in ("templates", "fonts", "tools/scaffold"):
        assert under(package, f"briefgen/{needed}"), f"briefgen/{needed} is empty"
    if (REPO / "briefgen" / "py.typed").exists():
        assert "briefgen/py.typed" in in_wheel
    # Each font folder ships its faces and its licence.
    fonts = {n for n in in_wheel if re.fullmatch(r"briefgen/fonts/[^/]+/[^/]+\.(ttf|otf)", n)}
    licences = {n for n in in_wheel if re.fullmatch(r"briefgen/fonts/[^/]+/(OFL|LICENSE)\b.*", n)}
    assert fonts and {Path(n).parent for n in fonts} == {Path(n).parent for n in licences}

    assert f"briefgen-{__version__}.dist-info/licenses/LICENSE" in in_wheel
    assert "briefgen = briefgen.cli:main" in entry_points
    assert under(in_sdist, "tests") == files_under(REPO / "tests")
    assert {"CHANGELOG.md", "LICENSE", "README.md", "pyproject.toml"} <= in_sdist


@pytest.mark.slow
def test_the_wheel_in_a_fresh_virtualenv_starts_checks_and_builds_a_brief(archives, tmp_path):
    """Nothing comes from the checkout: not the code, the templates, the scaffold or the fonts."""
    wheel, _ = archives
    assert not tmp_path.resolve().is_relative_to(REPO.resolve())
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    python, briefgen = bin_dir / "python", bin_dir / "briefgen"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}},
        "VIRTUAL_ENV": str(env_dir),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    work = tmp_path / "empty"
    work.mkdir()

    def run(*command: str | Path, cwd: Path = work) -> str:
        done = subprocess.run(
            [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"
        return done.stdout

    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel)
    located = run(
        python,
        "-c",
        "import sysconfig, briefgen, briefgen.fonts;"
        "print(briefgen.__file__, briefgen.fonts.FOLDER, sysconfig.get_paths()['purelib'],"
        "sep='\\n')",
    )
    module, font_folder, site_packages = map(Path, located.splitlines())
    assert module.is_relative_to(site_packages) and font_folder.is_relative_to(site_packages)
    assert run(briefgen, "--version") == f"briefgen {__version__}\n"

    run(briefgen, "init", "brief")
    brief = work / "brief"
    run("git", "init", "--quiet", cwd=brief)
    run(briefgen, "check", "--strict", cwd=brief)
    audiences = json.loads(run(briefgen, "matrix", cwd=brief))["include"]
    run(briefgen, "build", "--all", cwd=brief)

    assert audiences
    bundled = {TTFont(path)["name"].getDebugName(6) for path in font_folder.glob("*/*.ttf")}
    for audience in audiences:
        assert "</html>" in (brief / "out" / audience["html"]).read_text(encoding="utf-8")
        pdf = brief / "out" / audience["pdf"]
        assert pdf.read_bytes().startswith(b"%PDF-")
        embedded = embedded_faces(pdf)
        # Set in the installed package's own faces, none of the system's.
        assert embedded <= bundled, (audience["audience"], embedded)
        assert any(name.startswith("CharisSIL") for name in embedded), embedded


def test_the_changelog_names_this_version_and_the_readme_installs_it():
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = RELEASE.findall(changelog)
    newest = releases[0]
    assert ".".join(newest[:3]) == __version__
    assert newest[3], "the newest release heading carries its date: ## [X.Y.Z] - YYYY-MM-DD"
    numbers = [tuple(int(part) for part in release[:3]) for release in releases]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == len(numbers)

    installing = readme_section("## Installing")
    assert f"pip install briefgen=={__version__}" in installing
    assert f"@v{__version__}" in installing
