"""The screening engine: list entities in, a query in, explained hits out.

Two stages, both built once per set of lists (:class:`Matcher`):

1. **Candidate pre-filter** (a blocking index). Every weighted token of every list name is
   indexed under its ASCII form, its one-deletion neighbourhood (catches one typo, a swapped
   pair of letters, one letter added or dropped), its consonant skeleton (dropped vowels,
   vowel-less transliteration), its forms without vowels (``rr`` for ``Aruri``), its metaphone
   key, its rigour name symbols (the same given name in any spelling or script), its abjad keys
   and, for short names, its shape keys (other scripts, see names.py). A query looks its
   tokens' keys up and keeps the list names whose best possible score, given which query
   tokens they share a key with (an initial counting for the names with a word of its letter),
   can still reach the threshold; at most ``max_candidates`` of them, the most promising first.
2. **Scoring** each candidate name: one-to-one alignment of query tokens with the name's tokens
   (shared symbol spans first, then the best token pairs by rule: exact, name variant,
   consonants, sound, transliteration, initial, typo, joined tokens; then particles and titles
   transliterated, and a name cut after its particle), coverage of both sides, then secondary
   identifiers: birth date and nationality move the score up or down, an exact document
   number decides.

Scores are in [0, 1]; :data:`DEFAULT_THRESHOLD` is the alert threshold chosen on the
evaluation bench (bench/sanctions) so that at most 0.5% of innocent names alert.
"""

from __future__ import annotations

import math
import multiprocessing
import pickle
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from multiprocessing import forkserver
from operator import mul
from typing import Any

from followthemoney import registry
from followthemoney.proxy import EntityProxy
from rapidfuzz.distance import OSA

from cicte.sanctions.matching.names import (
    AYN,
    Kind,
    NameForm,
    Token,
    analyse,
    clean_text,
    skeleton,
    vowelless,
)

# The alert threshold: see docs/architecture.md ("Screening engine") and docs/benchmarks.md.
DEFAULT_THRESHOLD = 0.751
UPTO_UNITS = 6  # short-name sets kept for the pre-filter (see Matcher._short_hits)
PER_ENTITY_CANDIDATES = 4  # names of one list entity among the candidates of one query name

# Weights of secondary identifiers (added to the name score, then clipped to [0, 1]).
DOB_EXACT = 0.08  # full date of birth on both sides, equal
DOB_PARTIAL = 0.05  # equal at the precision both sides have (year, or year and month)
DOB_NEAR = 0.0  # within a year: no evidence either way (approximate dates are common)
DOB_MISMATCH = -0.15
NATIONALITY_MATCH = 0.03
NATIONALITY_MISMATCH = -0.07

NAME_PROPS = ("name", "alias", "weakAlias", "previousName", "abbreviation")
DATE_PROPS = ("birthDate", "incorporationDate")
COUNTRY_PROPS = ("nationality", "citizenship", "country", "jurisdiction", "mainCountry")
DOCUMENT_PROPS = (
    "idNumber",
    "passportNumber",
    "registrationNumber",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "swiftBic",
    "imoNumber",
    "vatCode",
    "leiCode",
)
PERSON_SCHEMATA = ("Person",)
ORGANIZATION_SCHEMATA = ("Organization", "Company", "PublicBody")

_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_DOC = re.compile(r"[^0-9A-Z]+")


class QueryError(ValueError):
    """A query that cannot be screened; the message says what to fix."""


def normalise_document(value: str) -> str:
    """Document numbers compare on their letters and digits only, upper case."""
    return _DOC.sub("", clean_text(value).upper())


def normalise_country(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 (lower case) from a code or a country name; None when unknown."""
    if not value or not value.strip():
        return None
    return registry.country.clean(value.strip())


@dataclass(frozen=True, slots=True)
class Query:
    """One name to screen, with the optional secondary identifiers of the customer record."""

    name: str
    birth_date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    nationality: str | None = None  # ISO 3166-1 alpha-2 or a country name
    kind: str | None = None  # "person", "organization" or None (both)
    documents: tuple[str, ...] = ()

    def validated(self) -> Query:
        """The query with its fields normalised; :class:`QueryError` says what is wrong."""
        name = (self.name or "").strip()
        if not name:
            raise QueryError("name is empty")
        kind = (self.kind or "").strip().lower() or None
        if kind in ("organisation", "org", "entity", "company"):
            kind = Kind.ORGANIZATION
        if kind in ("individual", "per"):
            kind = Kind.PERSON
        if kind not in (None, Kind.PERSON, Kind.ORGANIZATION):
            raise QueryError("kind must be 'person' or 'organization'")
        birth = (self.birth_date or "").strip() or None
        if birth is not None and not _DATE.match(birth):
            raise QueryError("birth date must be YYYY, YYYY-MM or YYYY-MM-DD")
        nationality = None
        if self.nationality and self.nationality.strip():
            nationality = normalise_country(self.nationality)
            if nationality is None:
                raise QueryError("nationality must be an ISO 3166-1 alpha-2 code or a country name")
        documents = tuple(d for d in (normalise_document(x) for x in self.documents) if d)
        return Query(name, birth, nationality, kind, documents)


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """One aligned pair: which part of the query matched which part of the list name."""

    query: str
    listed: str
    # exact, variant, nickname, consonants, sound, transliteration, initial, typo, joined;
    # particle or title (a transliterated particle or title, weighing nothing); truncated (the
    # query's last particle, for the list name's words after it, cut off: similarity 0)
    rule: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Feature:
    """One contribution to the score, signed, with what it is based on."""

    name: str  # "name", "birth_date", "nationality", "document"
    contribution: float
    detail: str


@dataclass(slots=True)
class Hit:
    """A list entity that a query matched, with the evidence."""

    list_id: str
    entity: EntityProxy
    score: float
    threshold: float
    matched_name: str  # the list's name or alias that matched best
    matched_property: str  # name, alias, weakAlias...
    query_name: str
    tokens: list[TokenMatch] = field(default_factory=list)
    features: list[Feature] = field(default_factory=list)
    entry: int = -1  # the matcher's index of the entity (internal)

    @property
    def entity_id(self) -> str:
        return str(self.entity.id)

    @property
    def alert(self) -> bool:
        return self.score >= self.threshold

    def explanation(self) -> dict[str, Any]:
        """The structured account (for the API and the UI)."""
        return {
            "matched_name": self.matched_name,
            "matched_property": self.matched_property,
            "query_name": self.query_name,
            "tokens": [
                {"query": t.query, "listed": t.listed, "rule": t.rule, "similarity": t.similarity}
                for t in self.tokens
            ],
            "features": [
                {"name": f.name, "contribution": round(f.contribution, 3), "detail": f.detail}
                for f in self.features
            ],
            "score": round(self.score, 3),
            "threshold": self.threshold,
        }

    def summary(self) -> str:
        """A one-line human-readable account (the CSV's ``explanation`` column)."""
        pairs = ", ".join(
            f"{t.query}={t.listed} ({t.rule})" if t.query != t.listed else f"{t.query} ({t.rule})"
            for t in self.tokens
        )
        feats = "; ".join(f"{f.name} {f.contribution:+.3f}: {f.detail}" for f in self.features)
        verdict = ">=" if self.alert else "<"
        return (
            f"'{self.query_name}' ~ {self.matched_property} '{self.matched_name}' [{pairs}]; "
            f"{feats}; score {self.score:.3f} {verdict} threshold {self.threshold:g}"
        )


@dataclass(slots=True)
class _Entry:
    """A list entity reduced to what matching needs."""

    list_id: str
    entity: EntityProxy
    kind: str
    dates: tuple[str, ...]
    countries: frozenset[str]
    documents: frozenset[str]


@dataclass(slots=True)
class _ListName:
    entry: int
    prop: str
    text: str
    form: NameForm


def entity_kind(entity: EntityProxy) -> str:
    """person, organization, any (a LegalEntity of unknown kind) or object (vessel, aircraft)."""
    schema = entity.schema
    if any(schema.is_a(s) for s in PERSON_SCHEMATA):
        return Kind.PERSON
    if any(schema.is_a(s) for s in ORGANIZATION_SCHEMATA):
        return Kind.ORGANIZATION
    if schema.is_a("LegalEntity"):
        return Kind.ANY
    return Kind.OBJECT


def entity_names(entity: EntityProxy) -> list[tuple[str, str]]:
    """(property, name) pairs of an entity, primary name first, plus one built from the parts."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for prop in NAME_PROPS:
        if prop not in entity.schema.properties:
            continue
        for value in entity.get(prop, quiet=True):
            if value.casefold() not in seen:
                seen.add(value.casefold())
                out.append((prop, value))
    parts = [
        " ".join(entity.get(p, quiet=True))
        for p in ("firstName", "secondName", "middleName", "fatherName", "lastName")
        if p in entity.schema.properties
    ]
    built = " ".join(p for p in parts if p).strip()
    if built and built.casefold() not in seen:
        out.append(("name parts", built))
    return out


def _deletes(form: str) -> set[str]:
    if len(form) < 4:
        return {form}
    return {form} | {form[:i] + form[i + 1 :] for i in range(len(form))}


def _keys(token: Token, *, listed: bool = True) -> set[str]:
    keys = {"d:" + k for k in _deletes(token.form)}
    if len(token.skel) >= 2:
        keys.add("s:" + token.skel)
    if len(token.phon) >= 2:
        keys.add("p:" + token.phon)
    keys.update("y:" + s for s in token.symbols)
    if listed or not token.latin:
        # list names carry the key; a query looks it up only for a token written in another
        # script, where spellings drift most (Latin-script typos have the deletion keys)
        keys.update("a:" + k for k in token.abjads if len(k) >= 2)
        if token.shapes and all(len(k) < 2 for k in token.abjads):
            # short names ("Yun", "Ho"), whose consonant keys are too short to look up
            keys.update("v:" + k for k in token.shapes if len(k) >= 2)
    if listed:
        keys.update("c:" + k for k in token.devowelled)
    elif vowelless(token.form):
        keys.add("c:" + token.form)  # a token without its vowels ("rr" for "Aruri")
    return keys


# Arabic articles, written joined to the name by a hyphen ("Al-Mahmoudi"): the initial of such
# a name is often the article's ("A.").
ARTICLES = frozenset(["al", "el"])


def _vowelless(form: str) -> bool:
    return not any(ch in "aeiou" for ch in form)


def _alike(q: Token, t: Token) -> bool:
    """Whether two tokens that share a name symbol also sound alike: rigour's symbols come from
    Wikidata, where a few given names carry another's as an alias ("Ali" and "Haidar"). Across
    scripts the symbol is trusted as it is."""
    if not (q.latin and t.latin):
        return True
    a, b = q.abjad, t.abjad
    allowed = max(1, min(len(a), len(b)) // 2)
    return OSA.distance(a, b, score_cutoff=allowed) <= allowed


def _token_similarity(q: Token, t: Token) -> tuple[float, str]:
    if q.form == t.form:
        return 1.0, "exact"
    if q.symbols and t.symbols and not q.symbols.isdisjoint(t.symbols):
        if _alike(q, t):
            return 0.95, "variant"
        return 0.7, "nickname"  # "Paco" for "Francisco", but also "Haidar" for "Ali"
    if q.role == "initial" or t.role == "initial":
        if q.form[:1] == t.form[:1] or (
            # "'." for "'Abd": an ayn or hamza before the vowel that the Latin form begins with
            AYN in (q.form, t.form) and (q.form[:1] in "aeiou" or t.form[:1] in "aeiou")
        ):
            return 0.9, "initial"
        return 0.0, ""
    longest = max(len(q.form), len(t.form))
    if q.skel == t.skel and (
        len(q.skel) >= 3
        or (len(q.skel) == 2 and (_vowelless(q.form) or _vowelless(t.form)))
        or (min(len(q.form), len(t.form)) >= 3 and q.form[0] == t.form[0])
    ):
        return 0.9, "consonants"
    if q.form in t.devowelled or t.form in q.devowelled:
        # one token is the other with its vowels dropped, repeated letters and "y" kept ("rr"
        # for "Aruri", "ly" for "Lu'ay"), which the skeleton does not see
        return (0.9 if min(len(q.form), len(t.form)) >= 3 else 0.85), "consonants"
    if longest >= 4:
        allowed = 2 if longest >= 9 else 1
        distance = OSA.distance(q.form, t.form, score_cutoff=allowed)
        if distance <= allowed:
            return 1.0 - 0.1 * distance, "typo"
    if not (q.latin and t.latin):
        if len(q.abjad) >= 2 and q.abjad == t.abjad:
            return 0.9, "transliteration"
        for key in q.abjads & t.abjads:
            if len(key) >= 2:
                return 0.9, "transliteration"
        if q.abjad and q.abjad == t.abjad and longest <= 4:
            return 0.8, "transliteration"  # short syllables: "يل" for "Il", "سو" for "Soe"
        for a in q.abjads:
            for b in t.abjads:
                if (
                    min(len(a), len(b)) >= 2
                    and max(len(a), len(b)) >= 3
                    and OSA.distance(a, b, score_cutoff=1) <= 1
                ):
                    # one consonant in three is a third of the evidence: less than in four
                    return (0.8 if max(len(a), len(b)) >= 4 else 0.75), "transliteration"
    elif (
        not q.abjads.isdisjoint(t.abjads)
        and longest >= 3
        and OSA.distance(q.form, t.form, score_cutoff=2) <= (1 if longest < 6 else 2)
    ):
        return 0.85, "sound"  # "Chammut" for "Shammout", "Halyd" for "Khalid"
    if q.phon and q.phon == t.phon and len(q.phon) >= 3 and q.form[:1] == t.form[:1]:
        return 0.85, "sound"
    if len(q.skel) >= 4 and len(t.skel) >= 4 and OSA.distance(q.skel, t.skel, score_cutoff=1) <= 1:
        return 0.8, "consonants"
    if not (q.latin and t.latin):
        # the consonants of a short name and where its vowels stand ("ywn" for "Yun", "dzhae"
        # for "Jae", "wllwa" for "Ulloa"; see names.shape_keys): the fewer consonants, the
        # weaker the evidence; vowels alone ("ii" for "Yi") are the weakest
        shared = q.shapes & t.shapes
        if shared:
            consonants = max(len(k) - k.count("V") for k in shared)
            return (0.85 if consonants >= 2 else 0.8 if consonants else 0.7), "transliteration"
    return 0.0, ""


@lru_cache(maxsize=4096)
def _longest(tokens: int, q_units: int, need: int, floor: float) -> tuple[int, ...]:
    """For each number of hit tokens, the most units a list name may have and still reach
    ``floor`` (0: that many hits are not enough)."""
    longest = [0] * (tokens + 1)
    for c in range(1, tokens + 1):
        hits = 2 * c
        if hits < need:
            continue
        u = hits
        while u < 4 * q_units and _upper(hits, q_units, u + 1) >= floor:
            u += 1
        longest[c] = u
    return tuple(longest)


def _upper(hits: int, q_units: int, l_units: int) -> float:
    """The best name score that ``hits`` matched units can give (every hit at similarity 1)."""
    return _combine(hits / q_units, min(1.0, hits / l_units))


def _combine(q_cov: float, l_cov: float) -> float:
    """The name score from the coverage of the query and of the list name."""
    low, high = (q_cov, l_cov) if q_cov <= l_cov else (l_cov, q_cov)
    return 0.6 * low + 0.4 * high


def align(query: NameForm, listed: NameForm) -> tuple[float, list[TokenMatch]]:
    """Score one query name against one list name; the aligned token pairs explain it."""
    qt, lt = query.tokens, listed.tokens
    q_sim = [0.0] * len(qt)
    l_sim = [0.0] * len(lt)
    q_used = [False] * len(qt)
    l_used = [False] * len(lt)
    matches: list[TokenMatch] = []

    # 1. Shared multi-token symbol spans ("Abd al-Rahman" ~ "Abdulrahman").
    if query.spans and listed.spans:
        shared = query.spans.keys() & listed.spans.keys()
        pairs = [
            (len(a) + len(b), a, b)
            for key in shared
            for a in query.spans[key]
            for b in listed.spans[key]
            if len(a) > 1 or len(b) > 1
        ]
        for _, a, b in sorted(pairs, reverse=True):
            if any(q_used[i] for i in a) or any(l_used[j] for j in b):
                continue
            q_text = " ".join(qt[i].form for i in a)
            l_text = " ".join(lt[j].form for j in b)
            if [qt[i].form for i in a if qt[i].weight] == [lt[j].form for j in b if lt[j].weight]:
                continue  # the same words but for particles: step 2 pairs them one by one
            sim, rule = 0.95, "variant"
            for i in a:
                q_used[i], q_sim[i] = True, sim
            for j in b:
                l_used[j], l_sim[j] = True, sim
            matches.append(TokenMatch(q_text, l_text, rule, sim))

    # 2. Best token pairs, greedily, one to one.
    candidates: list[tuple[float, int, int, str]] = []
    for i, q in enumerate(qt):
        if q_used[i] or not q.weight:
            continue
        for j, t in enumerate(lt):
            if l_used[j] or not t.weight:
                continue
            sim, rule = _token_similarity(q, t)
            if sim > 0:
                candidates.append((sim, i, j, rule))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    for sim, i, j, rule in candidates:
        if q_used[i] or l_used[j]:
            continue
        q_used[i] = l_used[j] = True
        q_sim[i] = l_sim[j] = sim
        matches.append(TokenMatch(qt[i].form, lt[j].form, rule, sim))

    # 3. Tokens written together on one side and apart on the other ("abdulrahman").
    _join(qt, lt, q_used, l_used, q_sim, l_sim, matches, query_side=True)
    _join(lt, qt, l_used, q_used, l_sim, q_sim, matches, query_side=False)

    # 4. Rarer cases, flagged when the names were analysed: an initial for a name with its
    # article, transliterated particles and titles, a name cut after its particle.
    q_w = [t.weight for t in qt]
    l_w = [t.weight for t in lt]
    if query.initials:
        _initial_of_article(qt, lt, q_used, l_used, q_sim, l_sim, matches)
    if query.foreign and listed.twins:
        _unweighted_twins(qt, lt, listed.twins, q_used, q_w, matches, query_side=True)
    if listed.foreign and query.twins:
        _unweighted_twins(lt, qt, query.twins, l_used, l_w, matches, query_side=False)
    if query.truncated:
        _cut_tail(qt[-1], lt, l_used, l_w, matches)

    q_weight = sum(q_w) or 1.0
    l_weight = sum(l_w) or 1.0
    q_cov = sum(map(mul, q_w, q_sim)) / q_weight
    l_cov = sum(map(mul, l_w, l_sim)) / l_weight
    return _combine(q_cov, l_cov), matches


def _cut_tail(
    last: Token, lt: list[Token], l_used: list[bool], l_w: list[float], matches: list[TokenMatch]
) -> None:
    """A name cut after its particle (``Cherif Said Ben`` for ``Cherif Said BEN ABDELHAKIM``):
    the list name's words after that particle, none of which the query covers, are the one name
    the particle introduces (a father's name, a place), cut off; together they count as one
    missing name, not as several."""
    for j in range(len(lt) - 1, -1, -1):
        t = lt[j]
        if l_used[j]:
            return
        if t.role == "particle" and (t.form == last.form or not t.symbols.isdisjoint(last.symbols)):
            tail = [k for k in range(j + 1, len(lt)) if l_w[k]]
            total = sum(l_w[k] for k in tail)
            if total > 1.0:
                for k in tail:
                    l_w[k] /= total
                cut = " ".join(lt[k].form for k in range(j, len(lt)))
                matches.append(TokenMatch(last.form, cut, "truncated", 0.0))
            return


def _initial_of_article(
    qt: list[Token],
    lt: list[Token],
    q_used: list[bool],
    l_used: list[bool],
    q_sim: list[float],
    l_sim: list[float],
    matches: list[TokenMatch],
) -> None:
    """An initial for a name written with the Arabic article joined to it: ``A.`` for
    ``Al-Mahmoudi`` (the article's letter is the written word's first)."""
    for i, q in enumerate(qt):
        if q_used[i] or q.role != "initial":
            continue
        for j in range(1, len(lt)):
            article = lt[j - 1]
            if (
                not l_used[j]
                and lt[j].weight
                and article.form in ARTICLES
                and article.form[0] == q.form[0]
            ):
                q_used[i] = l_used[j] = True
                q_sim[i] = l_sim[j] = 0.9
                matches.append(TokenMatch(q.form, f"{article.form} {lt[j].form}", "initial", 0.9))
                break


_TWIN_RULES = frozenset(["exact", "variant", "consonants", "transliteration", "sound"])


def _unweighted_twins(
    one: list[Token],
    other: list[Token],
    weightless: tuple[int, ...],
    one_used: list[bool],
    one_w: list[float],
    matches: list[TokenMatch],
    *,
    query_side: bool,
) -> None:
    """A token transliterated from another script that reads as a particle or title of the
    other name (``ybn`` from ``يبن`` for ``Ibn``, ``amyr`` for the title ``Amir``) is that
    particle or title, and weighs nothing either; Latin spellings of particles and titles are
    listed (names.PARTICLES, TITLES), transliterations drift too much to be. Strictly: the same
    consonants where the vowels stand too (a shared shape key), one token for each."""
    twins = list(weightless)
    for i, token in enumerate(one):
        if one_used[i] or not one_w[i] or token.latin or token.role != "name":
            continue
        for j in twins:
            if not any(len(k) - k.count("V") >= 2 for k in token.shapes & other[j].shapes):
                continue
            sim, rule = _token_similarity(token, other[j])
            if sim >= 0.8 and rule in _TWIN_RULES:
                twins.remove(j)
                one_w[i] = 0.0
                role = other[j].role
                matches.append(
                    TokenMatch(token.form, other[j].form, role, sim)
                    if query_side
                    else TokenMatch(other[j].form, token.form, role, sim)
                )
                break


def _join(
    one: list[Token],
    other: list[Token],
    one_used: list[bool],
    other_used: list[bool],
    one_sim: list[float],
    other_sim: list[float],
    matches: list[TokenMatch],
    *,
    query_side: bool,
) -> None:
    for i, token in enumerate(one):
        if one_used[i] or not token.weight or len(token.form) < 5:
            continue
        free = [j for j, t in enumerate(other) if not other_used[j] and t.weight]
        for a in free:
            for b in free:
                if b <= a or b - a > 2:
                    continue
                pieces = (
                    [other[a].form] + ([other[a + 1].form] if b - a == 2 else []) + [other[b].form]
                )
                for glued in ("".join(pieces), other[a].form + other[b].form):
                    if OSA.distance(glued, token.form, score_cutoff=1) <= 1 or (
                        len(token.skel) >= 4 and skeleton(glued) == token.skel
                    ):
                        one_used[i] = other_used[a] = other_used[b] = True
                        one_sim[i] = other_sim[a] = other_sim[b] = 0.95
                        parts = f"{other[a].form} {other[b].form}"
                        matches.append(
                            TokenMatch(token.form, parts, "joined", 0.95)
                            if query_side
                            else TokenMatch(parts, token.form, "joined", 0.95)
                        )
                        break
                if one_used[i]:
                    break
            if one_used[i]:
                break


def _date_feature(query_date: str, dates: Sequence[str]) -> Feature | None:
    if not dates:
        return None
    best: Feature | None = None
    for listed in dates:
        n = min(len(query_date), len(listed))
        if query_date[:n] == listed[:n]:
            exact = len(query_date) == len(listed) == 10
            value = DOB_EXACT if exact else DOB_PARTIAL
            return Feature("birth_date", value, f"{query_date} matches {listed}")
        try:
            gap = abs(int(query_date[:4]) - int(listed[:4]))
        except ValueError:
            continue
        if gap <= 1 and (best is None or best.contribution < DOB_NEAR):
            best = Feature("birth_date", DOB_NEAR, f"{query_date} is close to {listed}")
    if best is not None:
        return best
    shown = ", ".join(sorted(dates)[:3])
    return Feature("birth_date", DOB_MISMATCH, f"{query_date} differs from {shown}")


class Matcher:
    """The list side, analysed and indexed once; thread-safe for reading."""

    def __init__(
        self,
        lists: Mapping[str, Iterable[EntityProxy]],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        max_candidates: int = 40,
    ) -> None:
        self.threshold = threshold
        self.max_candidates = max_candidates
        self.entries: list[_Entry] = []
        self.names: list[_ListName] = []
        self._postings: dict[str, list[int]] = {}
        # names with two tokens sharing a key ("Mata Mata"): a query naming it twice counts
        # the second time only for them
        self._twice: dict[str, list[int]] = {}
        self._name_units: list[int] = []
        # letter -> the names with a word of that initial (or written with an article of it,
        # see _initial_of_article): an initial of the query counts for them in the pre-filter
        self._initials: dict[str, set[int]] = {}
        self._documents: dict[str, list[int]] = {}
        self.pairs_scored = 0  # name pairs aligned so far (for benchmarks)
        self._snapshot: bytes | None = None  # see snapshot()
        self._hit_cache: dict[tuple[str, str, str, frozenset[str], bool], frozenset[int]] = {}
        for list_id, entities in lists.items():
            for entity in entities:
                self._add(list_id, entity)
        self._initials[AYN] = set().union(*(self._initials.get(v, ()) for v in "aeiou"))
        self._one_unit = [1] * len(self.names)  # see _candidates (a name cut after a particle)
        # _upto[u]: the names of at most u units (the short names a single hit can reach)
        self._upto: list[frozenset[int]] = [
            frozenset(n for n, units in enumerate(self._name_units) if units <= u)
            for u in range(UPTO_UNITS + 1)
        ]

    # -- building --------------------------------------------------------------------------

    def _add(self, list_id: str, entity: EntityProxy) -> None:
        kind = entity_kind(entity)
        dates = tuple(
            sorted({d for p in DATE_PROPS for d in entity.get(p, quiet=True) if d[:4].isdigit()})
        )
        countries = frozenset(c for p in COUNTRY_PROPS for c in entity.get(p, quiet=True))
        documents = frozenset(
            d
            for p in DOCUMENT_PROPS
            for d in (normalise_document(v) for v in entity.get(p, quiet=True))
            if len(d) >= 4
        )
        entry = len(self.entries)
        self.entries.append(_Entry(list_id, entity, kind, dates, countries, documents))
        for prop, text in entity_names(entity):
            for form in analyse(text, kind):
                index = len(self.names)
                self.names.append(_ListName(entry, prop, text, form))
                self._name_units.append(max(1, round(form.weight * 2)))
                keys: set[str] = set()
                twice: set[str] = set()
                previous = ""
                for token in form.tokens:
                    if token.weight:
                        token_keys = _keys(token)
                        twice |= keys & token_keys
                        keys |= token_keys
                        if token.role == "name":
                            self._initials.setdefault(token.form[0], set()).add(index)
                            if previous in ARTICLES:
                                self._initials.setdefault(previous[0], set()).add(index)
                    previous = token.form
                for key in keys:
                    self._postings.setdefault(key, []).append(index)
                for key in twice:
                    self._twice.setdefault(key, []).append(index)
        if documents:
            for doc in documents:
                self._documents.setdefault(doc, []).append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    # -- screening -------------------------------------------------------------------------

    def _token_hits(self, token: Token, *, again: bool = False) -> frozenset[int]:
        """The list names sharing a blocking key with the token (cached: names repeat); with
        ``again``, those where two tokens share one (the query names the token twice)."""
        signature = (token.form, token.skel, token.phon, token.symbols, again)
        hits = self._hit_cache.get(signature)
        if hits is None:
            postings = self._twice if again else self._postings
            lists = [postings[key] for key in _keys(token, listed=False) if key in postings]
            hits = frozenset().union(*lists) if lists else frozenset()
            if len(self._hit_cache) >= 50_000:
                self._hit_cache.clear()
            self._hit_cache[signature] = hits
        return hits

    def _candidates(self, form: NameForm, kind: str | None, floor: float) -> list[int]:
        weighted = [t for t in form.tokens if t.weight]
        if not weighted:
            return []
        # Hits are counted in half-token units (an initial weighs half a token) with C-speed
        # Counter updates over cached hit sets; Python only loops over the names that can still
        # reach the floor.
        full_sets: list[frozenset[int]] = []
        half_sets: list[frozenset[int]] = []
        letters: list[str] = []
        seen: set[str] = set()
        for token in weighted:
            again = token.form in seen
            seen.add(token.form)
            hit = self._token_hits(token, again=again)
            if token.role == "initial":
                half_sets.append(hit)
                letters.append(token.form[:1])
            else:
                full_sets.append(hit)
        q_units = 2 * len(full_sets) + len(half_sets)
        # upper bound of the name score with every hit token at similarity 1 and the list name
        # fully covered: 0.6 * q + 0.4 >= floor  =>  q >= (floor - 0.4) / 0.6
        need = max(1, math.ceil(q_units * (floor - 0.4) / 0.6 - 1e-9))
        cut = form.truncated  # the list name's tail may count as one name: no length bound
        pool: list[tuple[int, int]]
        if cut:
            pool = self._pool_by_count_half(full_sets, half_sets, letters, q_units, need, 0.0)
        elif not half_sets and 2 <= len(full_sets) <= 5:
            longest = _longest(len(full_sets), q_units, need, floor)
            if longest[2]:
                pool = self._pool_by_sets(full_sets, longest)
            else:
                pool = self._pool_by_count(full_sets, longest)
        else:
            pool = self._pool_by_count_half(full_sets, half_sets, letters, q_units, need, floor)
        if not pool:
            return []
        names = self.names
        entries = self.entries
        # a cut name may cover the list name whatever its length: one unit each
        name_units = self._one_unit if cut else self._name_units
        ranked: list[tuple[float, int, int]] = []
        for name, hits in pool:
            if kind and entries[names[name].entry].kind not in (kind, Kind.ANY):
                continue
            q_cov = hits / q_units
            l_cov = hits / name_units[name]
            if l_cov > 1.0:
                l_cov = 1.0
            upper = 0.6 * q_cov + 0.4 * l_cov if q_cov <= l_cov else 0.6 * l_cov + 0.4 * q_cov
            if upper >= floor:
                # ties (common given names) go to the names of about the query's length
                ranked.append((-upper, abs(name_units[name] - q_units), name))
        return self._rank(ranked, weighted)

    def _pool_by_sets(
        self, sets: list[frozenset[int]], longest: tuple[int, ...]
    ) -> list[tuple[int, int]]:
        """Names hit by at least two tokens (pairwise intersections, at C speed), and names hit
        by one when short enough; with their hit units."""
        found: set[int] = set()
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                found |= sets[i] & sets[j]
        if longest[1]:
            found |= self._short_hits(sets, longest[1])
        units = self._name_units
        pool = []
        for n in found:
            c = 0
            for hit in sets:
                if n in hit:
                    c += 1
            if units[n] <= longest[c]:
                pool.append((n, 2 * c))
        return pool

    def _short_hits(self, sets: list[frozenset[int]], most_units: int) -> set[int]:
        if most_units < len(self._upto):
            short = self._upto[most_units]
            return set().union(*(hit & short for hit in sets))
        units = self._name_units
        return {n for hit in sets for n in hit if units[n] <= most_units}

    def _pool_by_count(
        self, sets: list[frozenset[int]], longest: tuple[int, ...]
    ) -> list[tuple[int, int]]:
        """Hits counted per name; the longest list name (in units) that ``c`` hits can still
        cover enough of is ``longest[c]``: most names hit by one token are out at once."""
        full: Counter[int] = Counter()
        for hit in sets:
            full.update(hit)
        units = self._name_units
        return [(n, 2 * c) for n, c in full.items() if units[n] <= longest[c]]

    def _pool_by_count_half(
        self,
        full_sets: list[frozenset[int]],
        half_sets: list[frozenset[int]],
        letters: list[str],
        q_units: int,
        need: int,
        floor: float,
    ) -> list[tuple[int, int]]:
        """Hits counted in half-token units (an initial weighs half a token); without
        initials, the names that ``c`` hits can still lift to the floor (with ``floor`` 0, every
        name with ``need`` units: no bound on the list name's length)."""
        if not half_sets and floor:
            return self._pool_by_count(full_sets, _longest(len(full_sets), q_units, need, floor))
        full: Counter[int] = Counter()
        half: Counter[int] = Counter()
        for hit in full_sets:
            full.update(hit)
        for hit in half_sets:
            half.update(hit)
        # an initial also counts for the names found by a whole word that have a word of its
        # letter ("M. B. Ibrahim Hasan" among the many Ibrahims: the ones with an M and a B)
        for letter, hit in zip(letters, half_sets, strict=True):
            initial = self._initials.get(letter)
            if initial:
                extra = initial.intersection(full)
                extra.difference_update(hit)
                half.update(extra)
        for name in half:
            full[name] += 0  # names found by initials only are visited too
        pool = [(n, 2 * c + half.get(n, 0)) for n, c in full.items()]
        return [(n, c) for n, c in pool if c >= need]

    def _rank(self, ranked: list[tuple[float, int, int]], weighted: list[Token]) -> list[int]:
        names = self.names
        if len(ranked) <= self.max_candidates:
            ranked.sort()
            return [name for _, _, name in ranked]
        # more names than places: among equal bounds, the names holding the query's own words
        # first (blocking keys are loose: "Haidar" shares a name symbol with every "Ali")
        exact: Counter[int] = Counter()
        for token in weighted:
            exact.update(self._postings.get("d:" + token.form, ()))
        order = sorted((u, -exact[n], d, n) for u, d, n in ranked)
        # at most a few names of one entity (its aliases often tie), so that one family's many
        # aliases do not crowd out the others
        chosen: list[int] = []
        per_entry: Counter[int] = Counter()
        for *_, name in order:
            entry = names[name].entry
            if per_entry[entry] < PER_ENTITY_CANDIDATES:
                per_entry[entry] += 1
                chosen.append(name)
                if len(chosen) == self.max_candidates:
                    break
        return chosen

    def _candidate_names(self, query: Query, floor: float) -> list[tuple[NameForm, int]]:
        # secondary identifiers can add at most this much: names below floor - bonus are out
        bonus = DOB_EXACT + NATIONALITY_MATCH
        return [
            (form, name_index)
            for form in analyse(query.name, query.kind or Kind.ANY)
            for name_index in self._candidates(form, query.kind, floor - bonus)
        ]

    def candidates(self, query: Query, *, floor: float | None = None) -> list[EntityProxy]:
        """The list entities that the pre-filter passes on to scoring (for benchmarks)."""
        query = query.validated()
        floor = self.threshold if floor is None else floor
        seen: dict[int, None] = {}
        for _, name_index in self._candidate_names(query, floor):
            seen.setdefault(self.names[name_index].entry)
        return [self.entries[i].entity for i in seen]

    def screen(self, query: Query, *, threshold: float | None = None, limit: int = 10) -> list[Hit]:
        """Hits at or above the threshold, best first, one per list entity."""
        chosen = self.threshold if threshold is None else threshold
        hits = self.score(query, floor=chosen, threshold=chosen)
        return hits[:limit]

    def score(
        self, query: Query, *, floor: float | None = None, threshold: float | None = None
    ) -> list[Hit]:
        """Every candidate hit scoring at least ``floor`` (default: the threshold), best first."""
        query = query.validated()
        threshold = self.threshold if threshold is None else threshold  # what hits are held to
        floor = threshold if floor is None else floor
        best: dict[int, tuple[float, float, _ListName, list[TokenMatch], str]] = {}
        for form, name_index in self._candidate_names(query, floor):
            record = self.names[name_index]
            self.pairs_scored += 1
            name_score, tokens = align(form, record.form)
            current = best.get(record.entry)
            if current is None or name_score > current[0]:
                best[record.entry] = (name_score, 0.0, record, tokens, form.original)
        documents = set(query.documents)
        decided: set[int] = set()
        if documents:
            for doc in documents:
                decided.update(self._documents.get(doc, ()))
        hits: list[Hit] = []
        for entry_index in set(best) | decided:
            entry = self.entries[entry_index]
            if query.kind and entry.kind not in (query.kind, Kind.ANY):
                continue
            if entry_index in best:
                name_score, _, record, tokens, original = best[entry_index]
                matched, prop = record.text, record.prop
            else:
                name_score, tokens, original = 0.0, [], query.name
                matched, prop = (entity_names(entry.entity) or [("name", "")])[0][::-1]
            features = [Feature("name", name_score, f"'{original}' ~ '{matched}'")]
            if query.birth_date:
                feature = _date_feature(query.birth_date, entry.dates)
                if feature:
                    features.append(feature)
            if query.nationality and entry.countries:
                if query.nationality in entry.countries:
                    features.append(
                        Feature("nationality", NATIONALITY_MATCH, f"{query.nationality} listed")
                    )
                else:
                    shown = ", ".join(sorted(entry.countries))
                    features.append(
                        Feature(
                            "nationality",
                            NATIONALITY_MISMATCH,
                            f"{query.nationality} not in {shown}",
                        )
                    )
            score = sum(f.contribution for f in features)
            if entry_index in decided:
                doc = sorted(documents & entry.documents)[0]
                features.append(
                    Feature("document", 1.0 - score, f"document number {doc} listed (decisive)")
                )
                score = 1.0
            if score > 1.0 or score < 0.0:
                bounded = min(1.0, max(0.0, score))
                features.append(
                    Feature("bounds", bounded - score, "scores are kept between 0 and 1")
                )
                score = bounded
            if score < floor:
                continue
            hits.append(
                Hit(
                    list_id=entry.list_id,
                    entity=entry.entity,
                    score=score,
                    threshold=threshold,
                    matched_name=matched,
                    matched_property=prop,
                    query_name=query.name,
                    tokens=tokens,
                    features=features,
                    entry=entry_index,
                )
            )
        hits.sort(key=lambda h: (-h.score, h.list_id, h.entity_id))
        return hits

    def screen_many(
        self,
        queries: Sequence[Query],
        *,
        threshold: float | None = None,
        limit: int = 10,
        workers: int = 1,
    ) -> list[list[Hit]]:
        """Batch screening: the hits of each query, in order.

        With ``workers`` > 1 the queries are shared out to forked processes (the index is
        inherited, not copied: it is built once, read-only). Forking is for single-threaded
        processes (the ``screen`` command, benchmarks); a threaded one uses
        :class:`ScreeningPool`'s fork server.
        """
        if workers <= 1 or len(queries) < 2 * _CHUNK:
            return [self.screen(q, threshold=threshold, limit=limit) for q in queries]
        with ScreeningPool(self, workers, start="fork") as pool:
            return pool.submit(queries, threshold=threshold, limit=limit)()

    def snapshot(self) -> bytes:
        """The matcher pickled for other processes (:class:`ScreeningPool`), made once: the
        index never changes after it is built."""
        with _SNAPSHOT_LOCK:
            if self._snapshot is None:
                self._snapshot = pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
            return self._snapshot

    def __getstate__(self) -> dict[str, Any]:
        # The index, without the cache of blocking hits that screening threads may be filling
        # meanwhile, and without the snapshot itself.
        state = self.__dict__.copy()
        state.update(_hit_cache={}, pairs_scored=0, _snapshot=None)
        return state


class ScreeningPool:
    """Processes that screen with copies of one matcher, for batches too large for one core.

    ``start="forkserver"`` (the default) is safe in a threaded process such as the task queue's
    worker: the processes are forked from a clean single-threaded server, started once per
    process, that has loaded the engine and warmed rigour's name tables
    (:mod:`~cicte.sanctions.matching.preload`); each then loads a pickled copy of the matcher
    (about 25 MB and a few seconds for UN + OFAC). ``"fork"`` is for single-threaded processes
    only: the children inherit the matcher at no cost. :meth:`submit` returns at once, so that the caller can store
    one chunk's hits while the processes screen the next; hits come back in order, with their
    entities (each process returns the matcher's index of the entity, put back here).
    """

    def __init__(self, matcher: Matcher, processes: int, *, start: str = "forkserver") -> None:
        self.matcher = matcher
        context = multiprocessing.get_context(start)
        if start == "forkserver":
            context.set_forkserver_preload([_PRELOAD])
        if start == "fork":
            _POOL["matcher"] = matcher
            initargs: tuple[bytes | None] = (None,)
        else:
            initargs = (matcher.snapshot(),)
        self._pool = context.Pool(processes, initializer=_pool_start, initargs=initargs)

    @staticmethod
    def start_server() -> None:
        """Start the fork server now (if it is not running), so that its warm-up (seconds)
        happens before the first pool is needed: the task queue's worker calls this as it
        starts."""
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([_PRELOAD])
        forkserver.ensure_running()

    def submit(
        self, queries: Sequence[Query], *, threshold: float | None = None, limit: int = 10
    ) -> Callable[[], list[list[Hit]]]:
        """Start screening ``queries``; the function returned waits for their hits, in order."""
        parts = [list(queries[i : i + _CHUNK]) for i in range(0, len(queries), _CHUNK)]
        pending = self._pool.map_async(
            partial(_screen_part, threshold=threshold, limit=limit), parts, chunksize=1
        )
        entries = self.matcher.entries

        def hits() -> list[list[Hit]]:
            out: list[list[Hit]] = []
            for chunk in pending.get():
                for found in chunk:
                    for hit in found:
                        hit.entity = entries[hit.entry].entity
                    out.append(found)
            return out

        return hits

    def close(self) -> None:
        self._pool.close()
        self._pool.join()
        _POOL.clear()

    def __enter__(self) -> ScreeningPool:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is not None:
            self._pool.terminate()
        self.close()


_CHUNK = 500
_PRELOAD = "cicte.sanctions.matching.preload"
_POOL: dict[str, Matcher] = {}
_SNAPSHOT_LOCK = threading.Lock()


def _pool_start(pickled: bytes | None) -> None:
    if pickled is not None:
        _POOL["matcher"] = pickle.loads(pickled)  # noqa: S301 - our own matcher, from the parent


def _screen_part(queries: list[Query], *, threshold: float | None, limit: int) -> list[list[Hit]]:
    matcher = _POOL["matcher"]
    out = []
    for query in queries:
        hits = matcher.screen(query, threshold=threshold, limit=limit)
        for hit in hits:
            hit.entity = None  # type: ignore[assignment]  # put back by the parent
        out.append(hits)
    return out
