"""TLP 2.0 labels and their fixed STIX 2.1 marking-definition ids, without Django: the pure
engines (``cicte.intel.stix``) use them as they are; ``core.choices.TLP`` gives them labels."""

from __future__ import annotations

CLEAR, GREEN, AMBER, AMBER_STRICT, RED = "clear", "green", "amber", "amber+strict", "red"
# From the least to the most restrictive.
ORDER = (CLEAR, GREEN, AMBER, AMBER_STRICT, RED)

# The TLP 2.0 marking definitions (extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d).
TLP2_MARKING_IDS = {
    CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# TLP 1.0, accepted and mapped onto 2.0 (WHITE is CLEAR).
TLP1_MARKING_IDS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": RED,
}
TLP_BY_MARKING_ID = {v: k for k, v in TLP2_MARKING_IDS.items()} | TLP1_MARKING_IDS
