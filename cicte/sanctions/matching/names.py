"""Name analysis for screening: raw strings to comparable tokens, both sides alike.

rigour does the heavy lifting (``rigour.names.analyze_names``): Unicode normalisation, invisible
characters, honorific and legal-form handling (``S.A. de C.V.`` -> the compare form of a joint
stock company, ``Ltda.``/``LLC``/``Limited Liability Company`` -> ``llc``), Latin
transliteration of Cyrillic, Greek, ... (``NamePart.comparable``), metaphone keys, and name
*symbols*: Wikidata ids shared by the spellings of one given name in every script
(``Mohammed``, ``Muhammad``, ``Mohamed`` and ``محمد`` share ``Q5837762``) and symbols for
name particles (``bin``/``ibn``/``بن`` -> ``BIN``, ``Abd al-``/``Abdul`` -> ``ABDUL``).

On top of that this module adds what a screening engine for the Americas needs:

* look-alike letters of other scripts inside a Latin word (a Cyrillic ``а`` in ``Jаvier``) are
  folded to the Latin letter before analysis, so the word is not transliterated as a whole;
* particles (``de``, ``del``, ``de la``, ``da``, ``dos``, ``y``, ``al-``, ``bin``...) and titles
  (``Lic.``, ``Ing.``, ``Sheikh``...) carry no weight, so their presence or absence does not
  move the score;
* each token gets a consonant *skeleton* (``mohammed`` -> ``mhmd``, ``محمد`` -> ``mhmd``) that
  catches dropped vowels and vowel-less transliteration of Arabic script.
"""

# Look-alike letters of other scripts are the point of this file.
# ruff: noqa: RUF001, RUF002

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA
from rigour.names import NamePartTag, NameTypeTag, analyze_names
from rigour.names.symbol import SymbolCategory
from rigour.text import ascii_text
from rigour.text.scripts import can_latinize
from rigour.text.scripts import is_latin as is_latin_script

# Particles of Spanish, Portuguese, Italian, Dutch, German, French and Arabic names: they join
# the parts of a name and are often dropped or added by whoever typed it.
PARTICLES = frozenset(
    [
        "de",
        "del",
        "la",
        "las",
        "los",
        "da",
        "das",
        "do",
        "dos",
        "di",
        "du",
        "des",
        "le",
        "y",
        "e",
        "i",
        "van",
        "von",
        "der",
        "den",
        "ten",
        "al",
        "el",
        "ul",
        "bin",
        "ibn",
        "ben",
        "bint",
        "bent",
        "ould",
        "uld",
        "bn",
    ]
)
# Titles and honorifics that rigour's prefix removal does not cover (it removes Mr., Dr.,
# General...), wherever they stand in the name.
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "dra",
        "sr",
        "sra",
        "srta",
        "sto",
        "don",
        "dona",
        "dna",
        "lic",
        "licda",
        "licdo",
        "ing",
        "arq",
        "abog",
        "prof",
        "profa",
        "sheikh",
        "shaikh",
        "shaykh",
        "sheik",
        "cheikh",
        "mullah",
        "mulla",
        "maulana",
        "haji",
        "hajji",
        "hadji",
        "imam",
        "emir",
        "amir",
        "sayyid",
        "sayed",
        "syed",
        "hon",
    ]
)
VOWELS = frozenset("aeiouy")
# "Abd al-", "Abdul", "Abdel", "Abd el-" are one word ("servant of") written many ways; the
# article after it is a particle. Written together ("Abdulrahman") they are split the same way.
_ABD = ("abdoul", "abdwl", "abdul", "abdel", "abdal", "abdol", "abdu", "abdl", "abd")
_ALLAH = frozenset(["lah", "llah", "allah", "ullah", "ellah", "illah", "ulla", "alla", "ella"])
_ABU = {"abou": "abu", "abo": "abu", "abu": "abu", "abw": "abu"}
# Arabic script has no p, v, g, e, o and writes long vowels with w and y: a key that ignores
# those differences lets Arabic- or Cyrillic-script names meet their Latin spellings.
_ABJAD_DIGRAPHS = (
    ("dzh", "j"), ("tsh", "s"), ("dj", "j"), ("zh", "j"), ("sh", "s"), ("ch", "s"),
    ("kh", "h"), ("th", "t"), ("dh", "d"), ("gh", "j"), ("ph", "f"), ("ts", "s"),
)  # fmt: skip
_ABJAD_LETTERS = str.maketrans(
    {"c": "k", "q": "k", "g": "j", "p": "b", "v": "f", "x": "ks", "z": "s", "a": None,
     "e": None, "i": None, "o": None, "u": None, "y": None, "w": None}
)  # fmt: skip

# Letters of Cyrillic and Greek that look like Latin ones: the classic way to slip a name past
# an exact-match filter. Only applied inside a word that also has Latin letters.
_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
        "ԁ": "d", "ɡ": "g", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
        # Greek
        "α": "a", "ο": "o", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip
_LATIN_WORD = re.compile(r"[A-Za-z]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"\S+")
_DOTTED_LETTER = re.compile(r"(?<!\w)(\w)\.")
# The initial of a name that begins with an ayn or a hamza, written with an apostrophe in Latin
# transliteration ("'Abd", "'Ali", "'Uthman"): "'." (rigour drops it as punctuation). Its Latin
# form begins with the vowel after the apostrophe, which is what it stands for.
AYN = "'"
_AYN_INITIAL = re.compile(r"(?<!\S)['\u2018\u2019\u02bb\u02bc\u02be\u02bf`]\.(?!\S)")


class Kind:
    """What a name names: the query's ``kind`` and the list entity's schema, reduced."""

    PERSON = "person"
    ORGANIZATION = "organization"
    ANY = "any"
    OBJECT = "object"  # vessels and aircraft: screened only by queries of no stated kind


_TYPE_TAGS = {Kind.PERSON: NameTypeTag.PER, Kind.ORGANIZATION: NameTypeTag.ORG}


def _fold_word(word: str) -> str:
    if _LATIN_WORD.search(word) and not word.isascii():
        word = word.translate(_HOMOGLYPHS)
        if is_latin_script(word):
            # accents off before rigour tags stop words and legal forms, so that "Oaó" is the
            # legal form "OAO" and "Ís" the stop word "is", as on the list side
            decomposed = unicodedata.normalize("NFKD", word)
            word = unicodedata.normalize(
                "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
            )
    return word


def fold_lookalikes(text: str) -> str:
    """Replace Cyrillic/Greek look-alike letters inside words that also hold Latin letters."""
    if text.isascii():
        return text
    return _WORD.sub(lambda m: _fold_word(m.group(0)), text)


def clean_text(text: str) -> str:
    """Unicode NFKC, without format characters (zero-width spaces, joiners, BOM, bidi marks)."""
    if text.isascii():
        return text  # NFKC leaves ASCII alone, and ASCII has no format characters
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def skeleton(form: str) -> str:
    """Consonants of a latinised token with repeats collapsed: ``mohammed`` -> ``mhmd``."""
    out: list[str] = []
    for ch in form:
        if ch in VOWELS:
            continue
        if ch == "h" and out and out[-1] in "kgcstdz":
            # kh/gh/sh/th/dh/zh and their one-letter transliterations are one sound
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)


def abjad(form: str) -> str:
    """A consonant key that Latin, Arabic-script and Cyrillic spellings of a name share."""
    for a, b in _ABJAD_DIGRAPHS:
        if a in form:
            form = form.replace(a, b)
    out: list[str] = []
    for ch in form.translate(_ABJAD_LETTERS):
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


_H_AFTER_CONSONANT = re.compile(r"(?<=[bcdfgjklmnpqrstvxz])h")


def abjad_keys(form: str) -> frozenset[str]:
    """abjad() of the token, of the token without a leading article (al-, el-), and of the
    token without an ``h`` after a consonant: a letter-by-letter rendering of ``ch`` or ``ph``
    in Arabic script (``كح``, ``بح``) comes back as ``kh``, ``bh``; and with ``v`` read as ``w``."""
    keys = {abjad(form)}
    if len(form) > 4 and form.startswith(("al", "el")):
        keys.add(abjad(form[2:]))
    if "h" in form[1:]:
        keys.add(abjad(_H_AFTER_CONSONANT.sub("", form)))
    if "v" in form:
        keys.add(abjad(form.replace("v", "w")))  # Cyrillic в for a Latin w
    return frozenset(k for k in keys if k)


# Arabic script writes long vowels (and, letter by letter, every vowel) with alif, waw and ya,
# and Cyrillic writes each vowel with a letter of its own: a short name ("Yun", "Ho", "Jae",
# "Ulloa") keeps its consonants *and where its vowels stand* across scripts, while its vowel
# qualities drift ("Yun" comes back from Arabic script as "ywn", "Jae" from Cyrillic as "dzhae").
# The shape key keeps both: consonants as in abjad(), each run of vowels one "V"; the waw read
# as a consonant ("Wei") and as a vowel ("ywn").
_SHAPE_LETTERS = str.maketrans(
    {"c": "k", "q": "k", "g": "j", "p": "b", "v": "f", "x": "ks", "z": "s"}
)  # fmt: skip
_VOWEL_RUN = re.compile(r"[aeiouy]+")
_VOWEL_RUN_W = re.compile(r"[aeiouyw]+")
_REPEAT = re.compile(r"(.)\1+")


def _shapes(form: str) -> set[str]:
    for a, b in _ABJAD_DIGRAPHS:
        if a in form:
            form = form.replace(a, b)
    form = _REPEAT.sub(r"\1", form.translate(_SHAPE_LETTERS))
    return {_VOWEL_RUN.sub("V", form), _VOWEL_RUN_W.sub("V", form)}


def shape_keys(form: str) -> frozenset[str]:
    """The shape keys of a token (see above), of the same spellings as :func:`abjad_keys`."""
    keys = _shapes(form)
    if len(form) > 4 and form.startswith(("al", "el")):
        keys |= _shapes(form[2:])
    if "h" in form[1:]:
        keys |= _shapes(_H_AFTER_CONSONANT.sub("", form))
    if "v" in form:
        keys |= _shapes(form.replace("v", "w"))  # Cyrillic в for a Latin w
    return frozenset(keys)


_PLAIN_VOWELS = re.compile(r"[aeiou]")


def devowelled(form: str) -> frozenset[str]:
    """How the token reads with its vowels dropped, as people drop them: every vowel
    (``Aruri`` -> ``rr``, ``Alya`` -> ``ly``: repeated letters and ``y`` kept, unlike the
    skeleton), or every vowel but a leading one (``Aereo`` -> ``ar``). Only forms of at least
    two letters that differ from the token."""
    keys = {_PLAIN_VOWELS.sub("", form), form[:1] + _PLAIN_VOWELS.sub("", form[1:])}
    return frozenset(k for k in keys if len(k) >= 2 and k != form)


def vowelless(form: str) -> bool:
    """Whether the token has no vowel after its first letter (as a devowelled token reads)."""
    return len(form) >= 2 and not _PLAIN_VOWELS.search(form, 1)


def latin(form: str, comparable: str) -> str:
    """The ASCII form of one name part (rigour keeps Arabic and other abjads unlatinised)."""
    text = comparable if comparable.isascii() else ascii_text(comparable).lower()
    return _NON_ALNUM.sub("", text)


@dataclass(slots=True)
class Token:
    """One part of an analysed name."""

    form: str  # ASCII, lower case: the form compared character by character
    skel: str  # consonant skeleton
    phon: str  # metaphone ('' when none)
    weight: float  # 0 for particles, titles and legal forms
    abjad: str  # see abjad()
    abjads: frozenset[str]  # abjad() with and without a leading Arabic article
    latin: bool  # written in Latin script in the original (else transliterated)
    symbols: frozenset[str]  # rigour symbols (given names across scripts, BIN, ABDUL...)
    role: str  # "name", "particle", "title", "legal", "initial"
    shapes: frozenset[str] = frozenset()  # see shape_keys()
    devowelled: frozenset[str] = frozenset()  # see devowelled()


@dataclass(slots=True)
class NameForm:
    """An analysed name: its tokens and the multi-token symbol spans (``Abd al-Rahman``)."""

    original: str
    kind: str
    tokens: list[Token]
    # symbol -> tuples of token indexes carrying it (a span may cover several tokens)
    spans: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)
    joined: str = ""  # the weighted tokens in order, space-separated (whole-string comparisons)
    # precomputed for the scorer, which sees each name many times:
    twins: tuple[int, ...] = ()  # indexes of the weightless particles and titles
    foreign: bool = False  # a weighted name token transliterated from another script
    initials: bool = False  # a token is an initial
    truncated: bool = False  # see truncated()

    @property
    def weight(self) -> float:
        return sum(t.weight for t in self.tokens)


# Words of legal forms that rigour leaves alone when they are not in their usual order
# ("COMPANY JOINT STOCK OPEN") or spelled out in Spanish and Portuguese.
ORG_FILLER = frozenset(
    [
        "company",
        "co",
        "corp",
        "corporation",
        "incorporated",
        "inc",
        "limited",
        "ltd",
        "ltda",
        "llc",
        "plc",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "joint",
        "stock",
        "open",
        "closed",
        "public",
        "sa",
        "sas",
        "sac",
        "srl",
        "sarl",
        "saic",
        "spa",
        "gmbh",
        "ag",
        "bv",
        "nv",
        "cia",
        "compania",
        "companhia",
        "sociedad",
        "sociedade",
        "anonima",
        "anonyme",
        "responsabilidad",
        "limitada",
        "cv",
        "rl",
        "eirl",
        # the words of "sociedad por acciones simplificada" (S.A.S.), "sociedad en comandita
        # por acciones", "de capital variable", "sociedade por quotas", "empresa unipersonal",
        # which rigour recognises only in their usual order
        "acciones",
        "simplificada",
        "comandita",
        "cuotas",
        "quotas",
        "variable",
        "unipersonal",
    ]
)


_LONG_LEGAL = tuple(w for w in (*ORG_FILLER, "charity") if len(w) >= 5)
# ... and with its vowels dropped ("Cmpny", "Lmtd"), as the rest of the name may be
_DEVOWELLED_LEGAL = frozenset(k for w in _LONG_LEGAL for k in devowelled(w) if len(k) >= 4)


@lru_cache(maxsize=16384)
def _near_legal(form: str) -> bool:
    """A legal-form word with one typo ("LIMIrED", "COMANY") or without its vowels ("CMPNY")."""
    if form in _DEVOWELLED_LEGAL:
        return True
    return len(form) >= 5 and any(
        OSA.distance(form, word, score_cutoff=1) <= 1 for word in _LONG_LEGAL
    )


def _role(form: str, tag: NamePartTag, kind: str, *, initial: bool = False) -> str:
    if tag == NamePartTag.LEGAL:
        return "legal"
    if initial and kind != Kind.ORGANIZATION:
        return "initial"
    if form in PARTICLES or tag == NamePartTag.STOP:
        return "particle"
    if kind != Kind.ORGANIZATION and form in TITLES:
        return "title"
    if kind == Kind.ORGANIZATION and (form in ORG_FILLER or len(form) == 1 or _near_legal(form)):
        return "legal"
    if len(form) == 1 and form.isalpha():
        return "initial"
    return "name"


_ROLE_WEIGHT = {"name": 1.0, "initial": 0.5, "particle": 0.0, "title": 0.0, "legal": 0.0}


def _split_abd(form: str) -> list[str]:
    if form in _ABU:
        return [_ABU[form]]
    if form.startswith("abd"):
        for prefix in _ABD:
            if form == prefix:
                return ["abd"]
            if form.startswith(prefix) and len(form) >= len(prefix) + 3:
                if form[len(prefix) :] in _ALLAH:
                    return [form]  # "Abdullah" is one name, not "Abd" and "Lah"
                return ["abd", form[len(prefix) :]]
    return [form]


@lru_cache(maxsize=65536)
def _pieces(
    original: str, comparable: str, metaphone: str, split_abd: bool
) -> tuple[tuple[str, str, str, str, frozenset[str], bool, frozenset[str], frozenset[str]], ...]:
    """The comparable pieces of one name part (cached: the same parts recur in many names)."""
    form = latin(original, comparable)
    is_latin = original.isascii() or is_latin_script(original)
    pieces = _split_abd(form) if split_abd else [form]
    return tuple(
        (
            piece,
            skeleton(piece) or piece,
            metaphone if len(pieces) == 1 and is_latin else "",
            abjad(piece),
            abjad_keys(piece),
            is_latin,
            shape_keys(piece),
            devowelled(piece),
        )
        for piece in pieces
        if piece
    )


@lru_cache(maxsize=65536)
def analyse(text: str, kind: str = Kind.ANY) -> tuple[NameForm, ...]:
    """Analyse one raw name into comparable forms (usually one; none for an empty name)."""
    text = fold_lookalikes(clean_text(text)).replace(",", " ")
    type_tag = _TYPE_TAGS.get(kind, NameTypeTag.ENT)
    names = analyze_names(type_tag, [text], consolidate=False, infer_initials=True)
    # "A." is an initial, not the particle "a" (rigour drops the dot before we see the part)
    dotted = {m.group(1).casefold() for m in _DOTTED_LETTER.finditer(text)} if "." in text else ()
    ayn_initials = len(_AYN_INITIAL.findall(text)) if "." in text else 0
    result: list[NameForm] = []
    for name in sorted(names, key=lambda n: n.norm_form):
        tokens: list[Token] = []
        index_of: dict[int, list[int]] = {}
        twins: list[int] = []  # the flags of NameForm, gathered on the way
        foreign = initials = False
        for part in name.parts:
            index_of[part.index] = []
            for piece, skel, phon, abj, abjs, is_latin, shapes, devs in _pieces(
                part.form, part.comparable, part.metaphone or "", kind != Kind.ORGANIZATION
            ):
                role = _role(
                    piece,
                    part.tag,
                    kind,
                    initial=len(piece) == 1
                    and (piece in dotted or (not tokens and len(name.parts) > 1)),
                )
                index_of[part.index].append(len(tokens))
                if role == "particle" or role == "title":
                    twins.append(len(tokens))
                elif role == "initial":
                    initials = True
                elif role == "name" and not is_latin:
                    foreign = True
                tokens.append(
                    Token(
                        piece,
                        skel,
                        phon,
                        _ROLE_WEIGHT[role],
                        abj,
                        abjs,
                        is_latin,
                        frozenset(),
                        role,
                        shapes,
                        devs,
                    )
                )
        if ayn_initials and kind != Kind.ORGANIZATION:
            empty: frozenset[str] = frozenset()
            for _ in range(ayn_initials):
                tokens.append(Token(AYN, AYN, "", 0.5, "", empty, True, empty, "initial"))
            initials = True
        spans: dict[str, list[tuple[int, ...]]] = {}
        by_token: dict[int, set[str]] = {}
        for span in name.spans:
            if span.symbol.category not in (SymbolCategory.NAME, SymbolCategory.SYMBOL):
                continue
            key = str(span.symbol.id)
            idx = tuple(i for p in span.parts for i in index_of.get(p.index, ()))
            if not idx:
                continue
            spans.setdefault(key, []).append(idx)
            if len(idx) == 1:
                by_token.setdefault(idx[0], set()).add(key)
        for i, keys in by_token.items():
            tokens[i].symbols = frozenset(keys)
        if not any(t.weight for t in tokens):
            # a name made only of particles ("De La") still needs something to compare
            for t in tokens:
                t.weight = 1.0
            twins = []
        joined = " ".join(t.form for t in tokens if t.weight)
        result.append(
            NameForm(
                text,
                kind,
                tokens,
                spans,
                joined,
                tuple(twins),
                foreign,
                initials,
                bool(twins) and truncated(tokens),
            )
        )
    return tuple(result)


# Particles that always introduce a name after them: a name that ends with one was cut. Not
# those that are names too ("Le", "Do", "Du", "Di", "La", "Van" are surnames; "Al" a given name;
# "y", "e" initials).
LEADING_PARTICLES = frozenset(
    ["de", "del", "dos", "das", "bin", "ibn", "ben", "bint", "bent", "ould", "uld", "von"]
)


def truncated(tokens: list[Token]) -> bool:
    """Whether the name ends with a particle that introduces a name (``Cherif Said Ben``):
    the name was cut after it (fixed-width fields of banking systems cut names)."""
    return (
        len(tokens) >= 2
        and tokens[-1].role == "particle"
        and tokens[-1].form in LEADING_PARTICLES
        and any(t.weight for t in tokens)
    )


def scripts_latinisable(text: str) -> bool:
    """Whether rigour can latinise the text (Latin, Cyrillic, Greek, Arabic, ... scripts)."""
    return can_latinize(text)
