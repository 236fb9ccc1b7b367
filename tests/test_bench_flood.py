"""The flood bench's arithmetic: renders set against purges, stalls found."""

from bench.flood import attribute, stalls


def test_one_render_after_each_purge_is_one_per_purge():
    found = attribute([10.0, 20.0], [10.05, 20.04], window=2.0)
    assert (found.purges, found.renders, found.most, found.doubled) == (2, 2, 1, 0)


def test_two_renders_after_one_purge_are_doubled():
    found = attribute([10.0, 20.0], [10.05, 10.06, 20.04], window=2.0)
    assert (found.most, found.doubled) == (2, 1)


def test_render_answered_after_the_next_purge_may_belong_to_the_one_before():
    """Begun under the purge at 10.0, answered after the one at 10.5."""
    found = attribute([10.0, 10.5], [10.6, 10.55], window=2.0)
    assert (found.most, found.doubled) == (1, 0)


def test_render_before_any_purge_is_counted_apart():
    found = attribute([10.0], [5.0, 10.1], window=2.0)
    assert (found.unpurged, found.most) == (1, 1)


def test_stalls_are_runs_of_quiet_buckets_joined_across_one_good_one():
    buckets = dict.fromkeys(range(20), 100)
    buckets.update({5: 3, 6: 0, 8: 1, 15: 2})
    del buckets[6]  # no answer at all in that bucket
    runs, median = stalls(buckets, 0.2)
    assert median == 100
    assert runs == [(5, 8), (15, 15)]
