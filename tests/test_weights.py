"""AHP weights and consistency against published worked examples."""

from __future__ import annotations

import pytest

from procure.errors import InputError
from procure.inputs.scenario import Criteria
from procure.inputs.weights import ahp, criteria_weights, judgment_matrix


def test_saaty_chairs_brightness_example() -> None:
    """Saaty (1977, 1980), relative brightness of four chairs: eigenvector 0.62, 0.24, 0.10,
    0.05 (published to two decimals), lambda_max 4.39, CI 0.13, CR 0.14 with RI 0.90."""
    r = ahp([[1, 5, 6, 7], [1 / 5, 1, 4, 6], [1 / 6, 1 / 4, 1, 4], [1 / 7, 1 / 6, 1 / 4, 1]])
    assert [round(w, 2) for w in r.weights] == [0.62, 0.24, 0.10, 0.05]
    assert round(r.lambda_max, 2) == 4.39
    assert round(r.ci, 2) == 0.13
    assert round(r.cr, 2) == 0.14


def test_three_criteria_textbook_example() -> None:
    """The 3x3 example [[1,3,5],[1/3,1,3],[1/5,1/3,1]] used throughout the AHP literature:
    weights 0.637, 0.258, 0.105; lambda_max 3.039; CR 0.033 (RI 0.58)."""
    r = ahp([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    assert [round(w, 3) for w in r.weights] == [0.637, 0.258, 0.105]
    assert round(r.lambda_max, 3) == 3.039
    assert round(r.cr, 3) == 0.033


def test_consistent_matrix_has_zero_cr() -> None:
    w = [0.4, 0.3, 0.2, 0.1]
    matrix = [[a / b for b in w] for a in w]
    r = ahp(matrix)
    assert r.cr == pytest.approx(0, abs=1e-9)
    assert r.weights == pytest.approx(w)


def test_direct_weights_normalised() -> None:
    w = criteria_weights(Criteria(weights={"security": 2, "cost": 2}))
    assert w.weights == {"security": 0.5, "flexibility": 0.0, "scalability": 0.0, "cost": 0.5}


def test_inconsistent_judgments_name_the_worst_and_suggest() -> None:
    judgments = [
        ("security", "cost", 9),
        ("cost", "flexibility", 9),
        ("flexibility", "security", 9),
        ("security", "scalability", 1),
        ("cost", "scalability", 1),
        ("flexibility", "scalability", 1),
    ]
    with pytest.raises(InputError) as err:
        criteria_weights(Criteria(ahp=judgments))
    message = str(err.value)
    assert "CR" in message and "> 0.10" in message
    assert "most inconsistent is [" in message and "try" in message


def test_partial_judgments_use_harker() -> None:
    """Missing judgments are filled consistently (Harker 1987): a chain a=2b, b=2c gives
    a=4c exactly."""
    m = judgment_matrix(
        [("security", "cost", 2), ("cost", "flexibility", 2)], ["security", "cost", "flexibility"]
    )
    r = ahp(m)
    assert r.weights == pytest.approx([4 / 7, 2 / 7, 1 / 7], abs=1e-9)
