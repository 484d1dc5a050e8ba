"""The retro-hunt engine (no Django imports): extract observables from logs, match them
against indicator values (exact, inside a CIDR block, a domain and its subdomains), suppress
known-benign values with MISP warninglists.

    found = indicators_from_stix(objects)
    hunter = Hunter(IndicatorSet.build(found.entries), Warninglists.shipped())
    for match in hunter.hunt(path_or_file, progress=show, every=100_000):
        ...
"""

from cicte.intel.hunt.engine import Hunter, HuntStats, Match
from cicte.intel.hunt.indicators import Entry, FromStix, IndicatorSet, indicators_from_stix
from cicte.intel.hunt.warninglists import Warninglist, WarninglistError, Warninglists

__all__ = [
    "Entry",
    "FromStix",
    "HuntStats",
    "Hunter",
    "IndicatorSet",
    "Match",
    "Warninglist",
    "WarninglistError",
    "Warninglists",
    "indicators_from_stix",
]
