"""The labelled evaluation set of the screening bench, generated once with a fixed seed and
FROZEN in ``bench/sanctions/evaluation.jsonl.gz`` (committed before any tuning of the engine).

``python -m bench.sanctions.generate`` regenerates it (the same file for the same lists and the
same Faker version); ``--check`` only verifies that the committed file is what it would write.

Each line is one query: ``{"id", "kind", "name", "birth_date", "list", "source_id",
"origin"}``. ``kind`` is a variant kind (below) or ``innocent``; ``list``/``source_id`` name
the list entity the query must find (the UN REFERENCE_NUMBER or the OFAC ent_num), empty for
innocents; ``origin`` is the list name the variant was derived from.

Variant kinds (at least :data:`PER_KIND` each), from UN and OFAC list entities:

- ``alias``: a listed alias, screened against the primary name (the alias is dropped from
  the list side when the bench builds it, see :func:`withheld`);
- ``particles``: particles added or dropped (de, del, de la, da, dos, y, al-, bin) and the
  second surname dropped;
- ``accents``: accents added to plain letters and the case changed;
- ``order``: tokens shuffled, or written ``SURNAME, Given``;
- ``initials``: given names reduced to initials (with or without a full stop);
- ``titles``: a title added (Sr., Lic., Ing., Dr., Sheikh, Mullah, Haji...);
- ``translit``: transliteration variants of Arabic names (Mohammed/Muhammad/Mohamed,
  Al-/El-, bin/ibn, Abd al-/Abdul, ou/u, ee/i...);
- ``script``: the name written in Arabic or Cyrillic script;
- ``legal``: an organisation's legal form added or swapped (S.A., S.A. de C.V., Ltda., LLC...);
- ``lookalike``: one or two Latin letters replaced by look-alike Cyrillic or Greek letters;
- ``invisible``: zero-width and other invisible characters inserted;
- ``vowels``: the vowels of one or two tokens dropped;
- ``typos``: one typing error (substitution of a neighbouring key, deletion, insertion,
  transposition) in one or two tokens.

Innocents: :data:`INNOCENTS` names from Faker's es_ES, es_MX, pt_BR, ar_AA and en_US locales
(fixed seed) with dates of birth; a generated name whose tokens equal a list name's is dropped.
"""

# Look-alike letters of other scripts are the point of this file.
# ruff: noqa: RUF001

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import sys
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followthemoney.proxy import EntityProxy

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "cicte" / "sanctions" / "data"
EVALUATION = Path(__file__).resolve().parent / "evaluation.jsonl.gz"
SEED = 20261129
# A second set, drawn the same way with another seed after the engine was tuned on the first:
# recall on it says whether the tuning generalises (nothing was looked at in it while tuning).
HOLDOUT = Path(__file__).resolve().parent / "holdout.jsonl.gz"
HOLDOUT_SEED = 20261130
PER_KIND = 520
INNOCENTS = 20_500
LOCALES = ("es_ES", "es_MX", "pt_BR", "ar_AA", "en_US")

PARTICLES = ("de", "del", "de la", "da", "dos", "y", "do", "das")
TITLES = ("Sr.", "Sra.", "Lic.", "Ing.", "Dr.", "Don", "Mr.", "Sheikh", "Mullah", "Haji", "Prof.")
LEGAL_FORMS = (
    "S.A.", "S.A. de C.V.", "Ltda.", "LLC", "Inc.", "S.R.L.", "S.A.S.", "Ltd.", "Co., Ltd.",
    "GmbH", "S. de R.L.", "Corp.", "Limited", "Company Limited", "SpA", "E.I.R.L.",
)  # fmt: skip
ARABIC_VARIANTS = (
    ("mohammed", ("muhammad", "mohamed", "mohammad", "mohamad", "muhammed")),
    ("muhammad", ("mohammed", "mohamed", "mohammad", "muhamad")),
    ("mohamed", ("muhammad", "mohammed", "mohamad")),
    ("mohammad", ("muhammad", "mohammed", "mohamed")),
    ("ahmed", ("ahmad", "ahmet")),
    ("ahmad", ("ahmed",)),
    ("abdul ", ("abd al-", "abd el-", "abdel ", "abdal ")),
    ("abd al-", ("abdul ", "abdel ", "abd-al-")),
    ("abdel", ("abdul", "abd al")),
    ("al-", ("el-", "al ", "")),
    ("el-", ("al-", "al ")),
    (" bin ", (" ibn ", " ben ")),
    (" ibn ", (" bin ", " ben ")),
    ("yusuf", ("yousef", "youssef", "yousuf")),
    ("yousef", ("yusuf", "youssef")),
    ("hussein", ("husayn", "hussain", "husain")),
    ("husain", ("hussein", "husayn")),
    ("hassan", ("hasan",)),
    ("hasan", ("hassan",)),
    ("omar", ("umar",)),
    ("umar", ("omar",)),
    ("osama", ("usama",)),
    ("usama", ("osama",)),
    ("abu ", ("abou ", "abo ")),
    ("ou", ("u",)),
    ("oo", ("u",)),
    ("ee", ("i",)),
    ("kh", ("h",)),
    ("q", ("k",)),
    ("ali", ("aly",)),
    ("sh", ("ch",)),
)
CYRILLIC = {
    "shch": "щ", "sh": "ш", "ch": "ч", "kh": "х", "zh": "ж", "ts": "ц", "ya": "я", "yu": "ю",
    "yo": "ё", "a": "а", "b": "б", "v": "в", "w": "в", "g": "г", "d": "д", "e": "е", "z": "з",
    "i": "и", "y": "й", "k": "к", "q": "к", "c": "к", "l": "л", "m": "м", "n": "н", "o": "о",
    "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "x": "кс", "j": "дж",
}  # fmt: skip
ARABIC = {
    "sh": "ش", "kh": "خ", "th": "ث", "dh": "ذ", "gh": "غ", "ou": "و", "oo": "و", "ee": "ي",
    "aa": "ا", "a": "ا", "b": "ب", "t": "ت", "j": "ج", "h": "ح", "d": "د", "r": "ر", "z": "ز",
    "s": "س", "f": "ف", "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "w": "و", "y": "ي",
    "i": "ي", "u": "و", "o": "و", "e": "", "g": "ج", "c": "ك", "p": "ب", "v": "ف", "x": "كس",
}  # fmt: skip
LOOKALIKES = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "j": "ј",
    "s": "ѕ", "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р",
    "C": "С", "T": "Т", "X": "Х", "I": "І", "N": "Ν", "Z": "Ζ",
}  # fmt: skip
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
KEYBOARD = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij", "i": "uok",
    "o": "ipl", "p": "ol", "a": "qsz", "s": "adwx", "d": "sfe", "f": "dgr", "g": "fht",
    "h": "gjy", "j": "hku", "k": "jli", "l": "ko", "z": "asx", "x": "zsc", "c": "xvd",
    "v": "cbf", "b": "vng", "n": "bmh", "m": "nj",
}  # fmt: skip
VOWELS = set("aeiouAEIOU")
ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "n": "ñ", "c": "ç"}
KINDS = (
    "alias", "particles", "accents", "order", "initials", "titles", "translit", "script",
    "legal", "lookalike", "invisible", "vowels", "typos",
)  # fmt: skip


@dataclass(frozen=True)
class Source:
    """One list entity as the generator sees it."""

    list_id: str
    source_id: str
    entity: EntityProxy
    person: bool
    name: str
    aliases: tuple[str, ...]
    birth_date: str | None


def load_lists(data: Path = DATA) -> dict[str, tuple[list[EntityProxy], Callable[..., str]]]:
    """UN and OFAC, parsed by the platform's own parsers."""
    from cicte.sanctions.sources import ofac, un

    parsed_un = un.parse(data / "un-consolidated-list.xml")
    parsed_ofac = ofac.parse(
        data / "ofac-sdn.csv",
        data / "ofac-alt.csv",
        data / "ofac-add.csv",
        data / "ofac-sdn_comments.csv",
    )
    return {
        "un": (parsed_un.entities, parsed_un.source_id_of),
        "ofac": (parsed_ofac.entities, parsed_ofac.source_id_of),
    }


def withheld(kind: str, origin: str) -> str | None:
    """The list name the bench removes from the entity for this query (alias variants)."""
    return origin if kind == "alias" else None


def _sources(lists: dict[str, tuple[list[EntityProxy], Callable[..., str]]]) -> list[Source]:
    out: list[Source] = []
    for list_id, (entities, source_id_of) in lists.items():
        for entity in entities:
            if not entity.schema.is_a("LegalEntity"):
                continue  # vessels and aircraft: not screened as customers
            names = [n for n in entity.get("name") if n.isascii() and len(n) >= 4]
            if not names:
                continue
            aliases = tuple(
                a
                for a in entity.get("alias", quiet=True)
                if a.isascii() and len(a.split()) >= 2 and a.casefold() != names[0].casefold()
            )
            dates = sorted(entity.get("birthDate", quiet=True))
            out.append(
                Source(
                    list_id,
                    source_id_of(entity),
                    entity,
                    entity.schema.is_a("Person"),
                    names[0],
                    aliases,
                    dates[0] if dates else None,
                )
            )
    return out


def _tokens(name: str) -> list[str]:
    return name.replace(",", " ").split()


def _title_case(name: str) -> str:
    return " ".join(t.capitalize() if t.isupper() else t for t in name.split())


def v_alias(rng: random.Random, s: Source) -> tuple[str, str] | None:
    if not s.aliases:
        return None
    alias = rng.choice(s.aliases)
    return alias, alias


def v_particles(rng: random.Random, s: Source) -> str | None:
    tokens = _tokens(_title_case(s.name))
    if not s.person or len(tokens) < 2:
        return None
    lowered = [t.lower() for t in tokens]
    present = [i for i, t in enumerate(lowered) if t in {"de", "del", "la", "da", "dos", "y", "do"}]
    if present and rng.random() < 0.5:
        return " ".join(t for i, t in enumerate(tokens) if i not in present)
    if len(tokens) >= 4 and rng.random() < 0.4:
        return " ".join(tokens[:-1])  # the second surname dropped
    i = rng.randrange(1, len(tokens))
    return " ".join([*tokens[:i], rng.choice(PARTICLES), *tokens[i:]])


def v_accents(rng: random.Random, s: Source) -> str | None:
    chars = list(s.name.lower() if rng.random() < 0.5 else _title_case(s.name).lower().title())
    spots = [i for i, c in enumerate(chars) if c.lower() in ACCENTED]
    if not spots:
        return None
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
        accented = ACCENTED[chars[i].lower()]
        chars[i] = accented.upper() if chars[i].isupper() else accented
    text = "".join(chars)
    return text.upper() if rng.random() < 0.3 else text


def v_order(rng: random.Random, s: Source) -> str | None:
    tokens = _tokens(s.name)
    if len(tokens) < 2:
        return None
    if s.person and rng.random() < 0.6:
        cut = rng.randint(1, len(tokens) - 1)
        return " ".join(tokens[cut:]).upper() + ", " + _title_case(" ".join(tokens[:cut]))
    shuffled = tokens[:]
    while shuffled == tokens:
        rng.shuffle(shuffled)
    return " ".join(shuffled)


def v_initials(rng: random.Random, s: Source) -> str | None:
    tokens = _tokens(_title_case(s.name))
    if not s.person or len(tokens) < 3:
        return None
    # the given names (all but the last one or two) as initials; one kept whole at random
    given = tokens[: len(tokens) - (2 if len(tokens) >= 4 else 1)]
    keep = rng.randrange(len(given)) if len(given) > 1 else -1
    dot = rng.random() < 0.5
    out = [t if i == keep else t[0] + ("." if dot else "") for i, t in enumerate(given)]
    return " ".join(out + tokens[len(given) :])


def v_titles(rng: random.Random, s: Source) -> str | None:
    if not s.person:
        return None
    return rng.choice(TITLES) + " " + _title_case(s.name)


def v_translit(rng: random.Random, s: Source) -> str | None:
    if not s.person:
        return None
    text = " " + s.name.lower().replace("-", "- ").replace("- ", "-") + " "
    applicable = [(a, b) for a, b in ARABIC_VARIANTS if a in text]
    if not applicable:
        return None
    rng.shuffle(applicable)
    for a, choices in applicable[: rng.randint(1, 2)]:
        text = text.replace(a, rng.choice(choices), 1)
    out = " ".join(text.split()).title()
    return out if out.lower() != s.name.lower() else None


def _to_script(text: str, table: dict[str, str]) -> str:
    text = text.lower()
    out: list[str] = []
    i = 0
    keys = sorted(table, key=len, reverse=True)
    while i < len(text):
        for key in keys:
            if text.startswith(key, i):
                out.append(table[key])
                i += len(key)
                break
        else:
            if text[i] in " -":
                out.append(" ")
            i += 1
    return " ".join("".join(out).split())


def v_script(rng: random.Random, s: Source) -> str | None:
    if not s.person or not s.name.replace(" ", "").replace("-", "").isalpha():
        return None
    return _to_script(s.name, ARABIC if rng.random() < 0.5 else CYRILLIC)


def v_legal(rng: random.Random, s: Source) -> str | None:
    if s.person:
        return None
    from rigour.names import remove_org_types

    bare = " ".join(remove_org_types(s.name).replace(" ,", ",").split()).strip(" ,.")
    if len(bare) < 4:
        return None
    return bare + rng.choice(("", ",")) + " " + rng.choice(LEGAL_FORMS)


def v_lookalike(rng: random.Random, s: Source) -> str | None:
    chars = list(_title_case(s.name) if rng.random() < 0.5 else s.name)
    spots = [i for i, c in enumerate(chars) if c in LOOKALIKES]
    if not spots:
        return None
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
        chars[i] = LOOKALIKES[chars[i]]
    return "".join(chars)


def v_invisible(rng: random.Random, s: Source) -> str | None:
    chars = list(s.name)
    for _ in range(rng.randint(1, 3)):
        i = rng.randint(1, len(chars) - 1)
        chars.insert(i, rng.choice(INVISIBLE))
    return "".join(chars)


def v_vowels(rng: random.Random, s: Source) -> str | None:
    tokens = _tokens(_title_case(s.name))
    spots = [
        i for i, t in enumerate(tokens) if len(t) >= 5 and sum(c in VOWELS for c in t[1:]) >= 2
    ]
    if not spots:
        return None
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
        t = tokens[i]
        tokens[i] = t[0] + "".join(c for c in t[1:] if c not in VOWELS)
    return " ".join(tokens)


def _typo(rng: random.Random, token: str) -> str:
    i = rng.randrange(1, len(token) - 1)
    op = rng.choice(("sub", "del", "ins", "swap"))
    ch = token[i].lower()
    near = KEYBOARD.get(ch, "e")
    if op == "sub":
        return token[:i] + rng.choice(near) + token[i + 1 :]
    if op == "del":
        return token[:i] + token[i + 1 :]
    if op == "ins":
        return token[:i] + rng.choice(near) + token[i:]
    return token[:i] + token[i + 1] + token[i] + token[i + 2 :]


def v_typos(rng: random.Random, s: Source) -> str | None:
    tokens = _tokens(s.name)
    spots = [i for i, t in enumerate(tokens) if len(t) >= 5 and t.isalpha()]
    if not spots:
        return None
    for i in rng.sample(spots, min(len(spots), rng.choice((1, 1, 2)))):
        tokens[i] = _typo(rng, tokens[i])
    return " ".join(tokens)


GENERATORS: dict[str, Callable[[random.Random, Source], str | tuple[str, str] | None]] = {
    "alias": v_alias,
    "particles": v_particles,
    "accents": v_accents,
    "order": v_order,
    "initials": v_initials,
    "titles": v_titles,
    "translit": v_translit,
    "script": v_script,
    "legal": v_legal,
    "lookalike": v_lookalike,
    "invisible": v_invisible,
    "vowels": v_vowels,
    "typos": v_typos,
}


def _name_key(text: str) -> frozenset[str]:
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return frozenset(t for t in plain.replace(",", " ").replace("-", " ").split() if len(t) > 1)


def variants(rng: random.Random, sources: list[Source]) -> Iterator[dict[str, object]]:
    for kind in KINDS:
        produced = 0
        order = sources[:]
        rng.shuffle(order)
        generator = GENERATORS[kind]
        for s in order:
            if produced >= PER_KIND:
                break
            out = generator(rng, s)
            if out is None:
                continue
            name, origin = out if isinstance(out, tuple) else (out, s.name)
            if not name.strip():
                continue
            produced += 1
            birth = s.birth_date if s.person and s.birth_date and rng.random() < 0.5 else None
            yield {
                "id": f"{kind}-{produced:04d}",
                "kind": kind,
                "name": name,
                "birth_date": birth,
                "type": "person" if s.person else "organization",
                "list": s.list_id,
                "source_id": s.source_id,
                "origin": origin,
            }
        if produced < PER_KIND:
            raise SystemExit(f"only {produced} variants of kind {kind}")


# Birth dates of innocents are drawn as Faker's date_of_birth(minimum_age=18, maximum_age=85)
# draws them, but as of a fixed day (the day the set was frozen), not today: the same set on any
# day.
AS_OF = dt.date(2026, 11, 29)


def _birth_date(faker: Any) -> dt.date:
    start = AS_OF.replace(year=AS_OF.year - 86)
    end = AS_OF.replace(year=AS_OF.year - 18)
    born = faker.date_time_ad(start_datetime=start, end_datetime=end).date()
    return born if born != start else born + dt.timedelta(days=1)


def innocents(
    rng: random.Random, sources: list[Source], seed: int = SEED
) -> Iterator[dict[str, object]]:
    from faker import Faker

    listed = {_name_key(n) for s in sources for n in (s.name, *s.aliases)}
    fakers = {}
    for locale in LOCALES:
        faker = Faker(locale)
        faker.seed_instance(seed)
        fakers[locale] = faker
    produced = 0
    seen: set[str] = set()
    while produced < INNOCENTS:
        locale = LOCALES[produced % len(LOCALES)]
        faker = fakers[locale]
        name = faker.name()
        if name in seen or _name_key(name) in listed:
            continue
        seen.add(name)
        produced += 1
        yield {
            "id": f"innocent-{produced:05d}",
            "kind": "innocent",
            "name": name,
            "birth_date": _birth_date(faker).isoformat(),
            "type": "person",
            "list": "",
            "source_id": "",
            "origin": locale,
        }


def generate(seed: int = SEED) -> list[dict[str, object]]:
    rng = random.Random(seed)
    sources = _sources(load_lists())
    sources.sort(key=lambda s: (s.list_id, s.source_id))
    return [*variants(rng, sources), *innocents(rng, sources, seed)]


def write(rows: list[dict[str, object]], path: Path = EVALUATION) -> None:
    # mtime=0: the same bytes for the same rows
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        for row in rows:
            out.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode())


def read(path: Path = EVALUATION) -> list[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sanctions.generate")
    parser.add_argument("--check", action="store_true", help="compare with the committed file")
    parser.add_argument(
        "--holdout", action="store_true", help="the held-out set (holdout.jsonl.gz, another seed)"
    )
    args = parser.parse_args(argv)
    path, seed = (HOLDOUT, HOLDOUT_SEED) if args.holdout else (EVALUATION, SEED)
    rows = generate(seed)
    if args.check:
        same = path.exists() and read(path) == rows
        print(f"{path.name} is up to date" if same else f"{path.name} differs")
        return 0 if same else 1
    write(rows, path)
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row["kind"])] = counts.get(str(row["kind"]), 0) + 1
    print(f"wrote {len(rows)} queries to {path.name}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
