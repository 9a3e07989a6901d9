"""Coordinated campaigns: account signatures, a similarity index over them, and the
grouping of similar accounts into campaigns with stable ids.

The flow of a pass: :mod:`~detector.campaigns.extract` turns window state into
:mod:`~detector.campaigns.signatures`; :mod:`~detector.campaigns.lsh` proposes candidate
pairs; :mod:`~detector.campaigns.similarity` verifies them; :mod:`~detector.campaigns.grouping`
forms campaigns; :mod:`~detector.campaigns.detector` runs the pass and raises alerts.
"""

from detector.campaigns.detector import Campaign, CampaignDetector, CampaignStats
from detector.campaigns.signatures import SignatureMessage, Signatures, SignatureStore

__all__ = [
    "Campaign",
    "CampaignDetector",
    "CampaignStats",
    "SignatureMessage",
    "SignatureStore",
    "Signatures",
]
