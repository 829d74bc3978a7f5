"""Money shared to the fen: the joining plan's fee per system adds up to its total."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from procure.money import split_fen


def test_a_known_split_gives_the_odd_fen_to_the_largest_remainder() -> None:
    """1.00 in thirds: 0.33 each leaves a fen, which goes to the first of the equal remainders;
    10.00 in 1:2 is 3.33 and 6.67 (6.666.. has the larger remainder)."""
    assert split_fen(1.00, [1, 1, 1]) == [0.34, 0.33, 0.33]
    assert split_fen(10.00, [1, 2]) == [3.33, 6.67]
    assert split_fen(5.00, [0, 0]) == [0.0, 0.0]


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12),
)
def test_the_shares_add_up_and_each_is_within_a_fen_of_its_exact_share(
    fen: int, weights: list[int]
) -> None:
    shares = split_fen(fen / 100, [float(w) for w in weights])
    whole = sum(weights)
    if whole == 0:
        assert shares == [0.0] * len(weights)
        return
    assert sum(round(s * 100) for s in shares) == fen
    for share, w in zip(shares, weights, strict=True):
        assert abs(Fraction(round(share * 100)) - Fraction(fen * w, whole)) < 1
