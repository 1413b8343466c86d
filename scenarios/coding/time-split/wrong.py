def time_split(timestamps: list[int], test_fraction: float) -> list[list[int]]:
    """Split by time, but cut the sorted rows at a position, so rows sharing the boundary
    timestamp can land on both sides."""
    if not timestamps or not 0 < test_fraction < 1:
        raise ValueError("bad input")
    order = sorted(range(len(timestamps)), key=lambda i: timestamps[i])
    cut = len(order) - int(len(order) * test_fraction)
    return [sorted(order[:cut]), sorted(order[cut:])]
