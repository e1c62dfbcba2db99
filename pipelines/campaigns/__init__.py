"""Coordinated campaigns: accounts that act as one, linked by shared infrastructure and behaviour.

Modules, one idea each: `evidence` (what an account reveals), `lsh` (similar things -> equal tokens), `linking`
(inverted index and strong links), `clustering` (connected components), `attachment` (clusters grown by what an
account shares with a cluster as a whole), `evasion` (address rotation, creation bursts run in lockstep),
`scoring` (cluster score and row), `transform` (the Beam PTransform), `offline` (the same stage in one process);
`models/campaign_evaluation` measures it.
"""

from pipelines.campaigns.config import DETECTOR_VERSION, CampaignConfig
from pipelines.campaigns.transform import DetectCampaigns

__all__ = ["DETECTOR_VERSION", "CampaignConfig", "DetectCampaigns"]
