import math


def time_split(timestamps: list[int], test_fraction: float) -> list[list[int]]:
    """Split row indices into [train, test] by time, so that no training row is later than a
    test row.

    The test set holds the latest ceil(n * test_fraction) rows, plus every row that shares a
    timestamp with the earliest of them: a timestamp is never split across the two sets. Both
    lists are ascending row indices.
    """
    if not timestamps:
        raise ValueError("no rows to split")
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must be strictly between 0 and 1")
    n_test = math.ceil(len(timestamps) * test_fraction)
    boundary = sorted(timestamps, reverse=True)[n_test - 1]
    train = [i for i, t in enumerate(timestamps) if t < boundary]
    test = [i for i, t in enumerate(timestamps) if t >= boundary]
    if not train:
        raise ValueError("every row falls in the test period; nothing is left to train on")
    return [train, test]
