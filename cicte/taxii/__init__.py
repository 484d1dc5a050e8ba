"""TAXII 2.1 (OASIS) over the STIX store of :mod:`cicte.intel`: the protocol layer only. It
reads through the intel querysets (``readable_by``) and writes through the intel services."""
