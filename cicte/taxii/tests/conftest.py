"""A small world for the TAXII tests: two national CSIRTs of different states in CSIRTAmericas
(Colombia with two analysts, Mexico), a CSIRT outside it, and a collection of CSIRTAmericas
that they may read and write."""

from __future__ import annotations

from typing import Any

import pytest

from cicte.intel.tests import factories as f


@pytest.fixture
def world() -> dict[str, Any]:
    colombia, mexico = f.csirt("CO"), f.csirt("MX")
    outsider_org = f.csirt("BR", network_slug="aviation-security")
    return {
        "co": f.analyst(colombia),
        "co2": f.analyst(colombia),
        "mx": f.analyst(mexico),
        "outsider": f.analyst(outsider_org),
        "collection": f.collection(),
    }
