"""What a simulated campaign's members reveal: co-firing is measured against the same requests at random times."""

from models.campaign_simulated import CO_FIRING_S, _co_firing


def test_co_firing_counts_requests_close_to_another_members_only():
    together = [(100.0, "a"), (100.0 + CO_FIRING_S / 2, "b"), (500.0, "a"), (501.0, "b")]
    assert _co_firing(together) == 1.0
    alone = [(100.0, "a"), (101.0, "a"), (900.0, "b")]  # an account's own burst is not another member's
    assert _co_firing(alone) == 0.0
