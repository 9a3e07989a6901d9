"""Seeded, labelled simulator of LLM API traffic with adversarial distillation mixed in.

The simulator writes request records (contract §1) as JSON Lines and a ground-truth labels
CSV. Six behaviours are modelled, each from a data profile in
:mod:`detector.simulate.profiles`:

* benign: ``ordinary`` chat users, ``enterprise`` pipelines (high volume, templated,
  regular: the case naive rate limits get wrong) and ``agentic`` coding assistants;
* attacks: a ``hydra`` sybil campaign behind a proxy pool, single-account ``scraper``\\ s and
  a careful ``slow_and_low`` campaign with human-like timing.

Examples
--------
>>> from detector.simulate import SCENARIOS, simulate
>>> sorted(SCENARIOS)
['benign', 'hydra', 'mixed', 'scraper', 'slow_and_low', 'small']
"""

from detector.simulate.prompts import fingerprint, normalise_prompt
from detector.simulate.scenarios import SCENARIOS, Scenario
from detector.simulate.simulation import (
    ATTACK_LABELS,
    HIGH_VOLUME_LABELS,
    TS_FORMATS,
    SimulationSummary,
    simulate,
)
from detector.simulate.writer import BAD_LINE_KINDS

__all__ = [
    "ATTACK_LABELS",
    "BAD_LINE_KINDS",
    "HIGH_VOLUME_LABELS",
    "SCENARIOS",
    "TS_FORMATS",
    "Scenario",
    "SimulationSummary",
    "fingerprint",
    "normalise_prompt",
    "simulate",
]
