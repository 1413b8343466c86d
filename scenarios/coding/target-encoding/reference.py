def target_encode(
    train_categories: list[str],
    train_targets: list[float],
    apply_categories: list[str],
    smoothing: float,
) -> list[float]:
    """Smoothed target encoding fitted on the training rows only.

    Each category's value is the mean target of its training rows, pulled toward the global
    training mean by `smoothing` pseudo-rows: (n * mean + smoothing * prior) / (n + smoothing).
    A category never seen in training gets the prior.
    """
    if len(train_categories) != len(train_targets):
        raise ValueError("train_categories and train_targets differ in length")
    if not train_targets:
        raise ValueError("no training rows to fit on")
    if smoothing < 0:
        raise ValueError("smoothing cannot be negative")
    prior = sum(train_targets) / len(train_targets)
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for category, target in zip(train_categories, train_targets):
        sums[category] = sums.get(category, 0.0) + target
        counts[category] = counts.get(category, 0) + 1
    encoded = []
    for category in apply_categories:
        n = counts.get(category, 0)
        if n == 0:
            encoded.append(prior)
        else:
            encoded.append((sums[category] + smoothing * prior) / (n + smoothing))
    return encoded
