"""Settings of the cross-account campaign stage: what counts as evidence, how strong a link must be, when to alert."""

from __future__ import annotations

from dataclasses import dataclass, field

DETECTOR_VERSION = "campaigns-1"

# Evidence kinds. Each is an independent way two accounts can turn out to be one operator.
NETWORK = "ip_prefix"  # client /24 (IPv4) or /48 (IPv6)
PAYMENT = "payment"  # payment fingerprint
CLIENT = "user_agent"
TEMPLATE = "template"  # MinHash LSH band of the account's recurring prompt shingles
TIMING = "timing"  # SimHash LSH band of the account's on/off activity over the window
KINDS: tuple[str, ...] = (NETWORK, PAYMENT, CLIENT, TEMPLATE, TIMING)


@dataclass(frozen=True)
class CampaignConfig:
    # --- evidence per account (bounded: at most this many tokens of each kind) ---
    top_values: int = 4  # most frequent IP prefixes / payment fingerprints / user agents kept per account
    min_value_share: float = 0.05  # a value seen in fewer of the account's requests is noise, not its infrastructure
    template_shingles: int = 16  # the account's most frequent recurring prompt shingles form its template set
    min_template_shingles: int = 4
    template_bands: int = 12  # MinHash LSH, bands x rows hashes: sets ~65% alike (Jaccard) collide in some band
    template_rows: int = 6
    timing_slot_s: int = 120  # activity is "did the account send anything in this slot"
    timing_bands: int = 4  # SimHash LSH: bands x bits
    timing_bits: int = 16
    min_timing_requests: int = 20  # sparser traffic cannot show whether its on/off pattern is shared

    # --- linking ---
    # A link needs two shared tokens of different kinds whose weights add up to `link_threshold`; no kind reaches
    # it alone, so one shared NAT /24 (or one shared user agent) never links anyone. With these weights a link is:
    # a shared payment and any other shared value; or two specific values among IP prefix, template, timing (or
    # IP prefix and user agent). A common IP prefix with a common user agent - a NAT - is not.
    prior: dict[str, float] = field(
        default_factory=lambda: {NETWORK: 0.6, PAYMENT: 0.75, CLIENT: 0.4, TEMPLATE: 0.5, TIMING: 0.5}
    )
    # A token shared by more accounts than this is a public resource (cloud egress, popular SDK version, stock
    # template, common schedule): its weight is multiplied by `common_factor`. Payment instruments are never public.
    specific_df: dict[str, int] = field(
        default_factory=lambda: {NETWORK: 25, PAYMENT: 2**31 - 1, CLIENT: 10, TEMPLATE: 25, TIMING: 25}
    )
    common_factor: float = 0.65
    link_threshold: float = 1.0
    # Tokens shared by more accounts are dropped: this bounds every posting list (and so the work per token).
    max_df: int = 5000

    # --- clusters and alerts ---
    min_members: int = 3
    severities: tuple[tuple[float, str], ...] = ((0.5, "medium"), (0.8, "high"), (0.95, "critical"))
    fresh_account_days: float = 30.0
    max_evidence: int = 12  # evidence entries per campaign row, strongest first

    def __post_init__(self) -> None:
        missing = [k for k in KINDS if k not in self.prior or k not in self.specific_df]
        if missing:
            raise ValueError(f"prior and specific_df need every evidence kind; missing {missing}")
        if max(self.prior.values()) >= self.link_threshold:
            raise ValueError("no single evidence kind may reach the link threshold on its own")
        if self.timing_bands * self.timing_bits > 64:
            raise ValueError("timing SimHash has at most 64 bits")
        if self.min_members < 2:
            raise ValueError("a campaign has at least two members")

    def weight(self, kind: str, df: int) -> float:
        """Evidence weight of a token of `kind` shared by `df` accounts; 0 when it is not evidence at all."""
        if df < 2 or df > self.max_df:
            return 0.0
        prior = self.prior[kind]
        return prior if df <= self.specific_df[kind] else prior * self.common_factor

    def severity(self, score: float) -> str | None:
        reached = [name for threshold, name in self.severities if score >= threshold]
        return reached[-1] if reached else None
