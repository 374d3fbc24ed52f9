import pytest

from failover.domain.split_brain import Contender, Verdict, conflict_winner, judge


@pytest.mark.parametrize(
    "own,peer,verdict",
    [
        (("primary", 2), ("backup", 2), Verdict.FINE),
        (("backup", 2), ("primary", 2), Verdict.FINE),
        (("primary", 2), ("primary", 3), Verdict.DEMOTE_SELF),  # the lower epoch yields
        (("primary", 3), ("primary", 2), Verdict.FINE),  # the peer yields
        (("primary", 3), ("primary", 3), Verdict.CONFLICT),  # nobody can tell
        (("backup", 3), ("backup", 3), Verdict.CONFLICT),
        (("backup", 2), ("backup", 5), Verdict.CONFLICT),
        (("none", 0), ("none", 0), Verdict.FINE),
        (("primary", 2), (None, None), Verdict.FINE),
        (("primary", 2), ("none", 2), Verdict.FINE),
    ],
)
def test_judge(own, peer, verdict):
    assert judge(*own, *peer) is verdict


A = Contender("00000000-0000-0000-0000-00000000000a", 100.0, False)
B = Contender("00000000-0000-0000-0000-00000000000b", 100.0, False)


def test_the_newest_data_wins():
    newer = Contender(B.site_id, 200.0, False)
    assert conflict_winner(A, newer) is newer
    assert conflict_winner(newer, A) is newer


def test_then_the_holder_of_the_shared_ips():
    holder = Contender(B.site_id, 100.0, True)
    assert conflict_winner(A, holder) is holder
    assert conflict_winner(holder, A) is holder


def test_then_the_lower_site_id_and_both_sites_agree():
    assert conflict_winner(A, B) is A
    assert conflict_winner(B, A) is A
