"""NonrefSkip on its own: which packets it lets the decoder drop, and how it counts the
frames the decoder dropped back into the frame index. No decoder involved."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from streamprint.source import LOOKAHEAD_PACKETS, NonrefSkip

TB = Fraction(1, 1000)  # time base: milliseconds


def wanted_at(*targets: float):
    """wanted(a, b): a target time (seconds) lies in (a, b]."""
    return lambda a, b: any(a < t <= b for t in targets)


def skip_with(pts: list[int], *targets: float) -> NonrefSkip:
    skip = NonrefSkip(wanted_at(*targets), TB)
    for p in pts:
        skip.see(p)
    return skip


def test_a_packet_between_two_untargeted_neighbours_may_be_skipped():
    skip = skip_with([0, 40, 80, 120, 160], 1.0)  # 25 fps, one target at 1 s: far away
    assert skip.may_skip(80, origin=0.0)


def test_a_packet_next_to_a_target_is_kept():
    skip = skip_with([0, 40, 80, 120, 160], 0.1)  # target at 100 ms, between 80 and 120
    assert not skip.may_skip(80, origin=0.0) and not skip.may_skip(120, origin=0.0)
    assert skip.may_skip(40, origin=0.0)  # its neighbours are 0 and 80: no target in (0, 80]
    assert skip.may_skip(0, origin=0.0)  # (-inf, 40 ms] holds no target either
    assert not skip_with([0, 40, 80], 0.0).may_skip(0, origin=0.0)  # ... unless one lies at 0


def test_the_last_known_packet_is_never_skipped():
    skip = skip_with([0, 40, 80], 5.0)
    assert not skip.may_skip(80, origin=0.0)  # no later packet seen: it may be the one before a target


def test_the_origin_shifts_the_times():
    skip = skip_with([1000, 1040, 1080, 1120, 1160], 0.05)  # stream starts at 1 s; target 50 ms in
    assert not skip.may_skip(1040, origin=1.0) and not skip.may_skip(1080, origin=1.0)  # 50 ms in (0, 80], (40, 120]
    assert skip.may_skip(1120, origin=1.0)  # (80, 160] ms holds no target
    assert not skip_with([1000, 1040, 1080, 1120, 1160], 1.1).may_skip(1120, origin=0.0)  # 1.1 s in (1.08, 1.16]


def test_unknown_times_disable_skipping():
    skip = skip_with([0, 40, 80], 9.0)
    skip.see(None)
    assert not skip.may_skip(40, origin=0.0)
    assert not skip_with([0, 40, 80], 9.0).may_skip(40, origin=None)  # no origin yet: times unknown


def test_delivered_counts_the_dropped_frames_before_each_delivered_one():
    skip = NonrefSkip(wanted_at(), TB)
    for p in (40, 80, 200):
        skip.sent(p)  # sent with NONREF
    assert skip.delivered(0) == 0
    assert skip.delivered(120) == 2  # 40 and 80 were sent as skippable and never came out
    assert skip.delivered(200) == 0  # 200 was sent skippable but the decoder delivered it after all
    assert skip.pending == []


def test_the_window_of_seen_packets_stays_bounded():
    skip = NonrefSkip(wanted_at(), TB)
    for p in range(0, 40 * 100 * LOOKAHEAD_PACKETS, 40):
        skip.see(p)
    assert len(skip.seen) <= 16 * LOOKAHEAD_PACKETS


@pytest.mark.parametrize("order", ["presentation", "decode"])
def test_decisions_match_the_definition_on_a_b_frame_stream(order):
    """For a stream whose packets come in decode order (I P B B ...), a packet may be skipped
    exactly when no target lies in (prev, next] of its true neighbours, or when its known
    neighbours are wider than that (never the other way round)."""
    pts = [i * 40 for i in range(60)]
    dec = pts if order == "presentation" else [p for i in range(0, 60, 3) for p in pts[i:i + 3][::-1]]
    targets = [0.0, 0.5, 1.0, 1.5, 2.0]
    skip = NonrefSkip(wanted_at(*targets), TB)
    for p in dec:
        skip.see(p)
    for p in pts[1:-1]:
        prev, nxt = (p - 40) / 1000, (p + 40) / 1000
        needed = any(prev - 1e-9 < t <= nxt + 1e-9 for t in targets)
        if needed:
            assert not skip.may_skip(p, origin=0.0), p
        else:
            assert skip.may_skip(p, origin=0.0), p
    assert math.isfinite(sum(pts))
