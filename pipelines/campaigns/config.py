"""Settings of the cross-account campaign stage: what counts as evidence, how strong a link must be, when to alert."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.config import WindowConfig

DETECTOR_VERSION = "campaigns-7"

# Evidence kinds. Each is an independent way two accounts can turn out to be one operator.
NETWORK = "ip_prefix"  # client /24 (IPv4) or /48 (IPv6)
PAYMENT = "payment"  # payment fingerprint
CLIENT = "user_agent"  # SDK / client header fingerprint
TEMPLATE = "template"  # MinHash LSH band of the account's recurring prompt shingles
TIMING = "timing"  # MinHash LSH band of the set of short time slots in which the account was active
CREATION = "created"  # the account's creation time, in two half-offset grids of `creation_bucket_s`
ROTATION = "rotation"  # one token for every account that sends from a new network prefix on nearly every request
KINDS: tuple[str, ...] = (NETWORK, PAYMENT, CLIENT, TEMPLATE, TIMING, CREATION, ROTATION)


@dataclass(frozen=True)
class CampaignConfig:
    # --- horizon: evidence accumulates over `horizon_s`, one linking pass per `period_s` (sliding windows) ---
    # Sparse members reveal a schedule and a scaffold only over hours, not in one per-account window.
    horizon_s: int = 6 * 3600
    period_s: int = 3 * 3600

    # --- evidence per account (bounded: at most this many tokens of each kind) ---
    top_values: int = 4  # most frequent IP prefixes / payment fingerprints / user agents kept per account
    min_value_share: float = 0.05  # a value seen in fewer of the account's requests is noise, not its infrastructure
    # A value seen once is not infrastructure either: a sparse account on rotating residential IPs would otherwise
    # hold a few /24s it used once each, and among thousands of such accounts some share one by chance.
    min_value_count: int = 2
    template_shingles: int = 16  # the account's most frequent recurring prompt shingles form its template set
    min_template_shingles: int = 3
    template_bands: int = 12  # MinHash LSH, bands x rows hashes: sets ~65% alike (Jaccard) collide in some band
    template_rows: int = 6
    # Timing: MinHash LSH over the account's active 10-second slots (evidence.TIMING_SLOT_S).
    timing_bands: int = 10
    timing_rows: int = 6
    min_timing_slots: int = 8  # fewer active slots cannot show a shared schedule
    creation_bucket_s: int = 600  # accounts created within half of this of each other share a creation token

    # --- linking ---
    # A link needs two shared tokens of different kinds whose weights add up to `link_threshold`; no kind reaches
    # it alone. Every kind has a weight while few accounts share the token (`specific_df`) and a lower one beyond.
    # Two values that many accounts share link only as a shared 10-second schedule with anything but a creation
    # burst, or a card with a prompt scaffold or with an egress range (one organisation: scoring tells a company
    # from a campaign); an agency card with a popular SDK, a course template behind a campus NAT or with a
    # popular SDK link nobody. Address rotation weighs the same however many accounts rotate: it is what a member
    # on a residential proxy network has in place of an address range, and it adds to a scaffold and an SDK build
    # only where those are shared too; a class behind its campus NAT does not rotate.
    specific: dict[str, float] = field(
        default_factory=lambda: {
            NETWORK: 0.6, PAYMENT: 0.75, CLIENT: 0.45, TEMPLATE: 0.5, TIMING: 0.75, CREATION: 0.3, ROTATION: 0.3,
        }
    )  # fmt: skip
    common: dict[str, float] = field(
        default_factory=lambda: {
            NETWORK: 0.35, PAYMENT: 0.65, CLIENT: 0.3, TEMPLATE: 0.4, TIMING: 0.7, CREATION: 0.2, ROTATION: 0.3,
        }
    )  # fmt: skip
    specific_df: dict[str, int] = field(
        default_factory=lambda: {
            NETWORK: 25,
            PAYMENT: 25,
            CLIENT: 10,
            TEMPLATE: 25,
            TIMING: 25,
            CREATION: 25,
            ROTATION: 25,
        }
    )
    link_threshold: float = 1.0
    # Tokens shared by more accounts are dropped: this bounds every posting list (and so the work per token).
    max_df: int = 5000
    # Attachment (attachment.py): an account joins a cluster when the evidence it shares with the cluster's
    # members together reaches `link_threshold`; a token counts towards the `attach_clusters` clusters it
    # touches most, in up to `attach_rounds` rounds.
    # The same for an account of another cluster, which merges the two. Equal to `link_threshold`: a sparse
    # campaign falls apart into small clusters, one per card group, and a stricter merge left them apart, each
    # scoring below the alert floor (models/report/CAMPAIGNS_SEED_*.md).
    merge_threshold: float = 1.0
    attach_rounds: int = 8
    attach_clusters: int = 4
    burst_support: int = 3  # members of the cluster sharing a creation token for it to count: a burst
    # Members of the cluster sharing a timing token for it to count: a scheduler fires many members together, and
    # one LSH band shared with a single member of a large cluster is a chance collision.
    schedule_support: int = 2

    # --- clusters and alerts ---
    min_members: int = 3
    severities: tuple[tuple[float, str], ...] = ((0.6, "medium"), (0.8, "high"), (0.95, "critical"))
    fresh_account_days: float = 30.0
    max_evidence: int = 12  # evidence entries per campaign row, strongest first

    def __post_init__(self) -> None:
        tables = (self.specific, self.common, self.specific_df)
        missing = [k for k in KINDS if any(k not in table for table in tables)]
        if missing:
            raise ValueError(f"specific, common and specific_df need every evidence kind; missing {missing}")
        if max(self.specific.values()) >= self.link_threshold:
            raise ValueError("no single evidence kind may reach the link threshold on its own")
        if any(self.common[k] > self.specific[k] for k in KINDS):
            raise ValueError("a token many accounts share may not weigh more than a specific one")
        if self.merge_threshold < self.link_threshold:
            raise ValueError("merging two clusters may not need less evidence than linking one account")
        if self.horizon_s % self.period_s:
            raise ValueError("the campaign horizon must be a multiple of its period")
        if self.min_members < 2:
            raise ValueError("a campaign has at least two members")

    def window(self) -> WindowConfig:
        """The campaign stage's sliding windows (it fires each window once, so lateness plays no part)."""
        return WindowConfig(size_s=self.horizon_s, period_s=self.period_s, allowed_lateness_s=0)

    def weight(self, kind: str, df: int) -> float:
        """Evidence weight of a token of `kind` shared by `df` accounts; 0 when it is not evidence at all."""
        if df < 2 or df > self.max_df:
            return 0.0
        return self.specific[kind] if df <= self.specific_df[kind] else self.common[kind]

    def severity(self, score: float) -> str | None:
        reached = [name for threshold, name in self.severities if score >= threshold]
        return reached[-1] if reached else None
