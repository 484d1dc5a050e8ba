"""Imported once by the screening pool's fork server (:class:`~cicte.sanctions.matching.ScreeningPool`):
loads the engine and warms rigour's name tables (its first analyses build them: seconds of work),
so that every process forked from the server starts warm and only loads its copy of the matcher."""

from cicte.sanctions.matching.names import Kind, analyse

for _kind in (Kind.PERSON, Kind.ORGANIZATION, Kind.ANY):
    analyse("Ana María Gómez de la Cruz S.A.", _kind)
