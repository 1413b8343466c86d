def target_encode(
    train_categories: list[str],
    train_targets: list[float],
    apply_categories: list[str],
    smoothing: float,
) -> list[float]:
    """Smoothed target encoding, but the prior is the mean of the category means and an unseen
    category gets 0."""
    if len(train_categories) != len(train_targets) or not train_targets:
        raise ValueError("bad input")
    groups: dict[str, list[float]] = {}
    for category, target in zip(train_categories, train_targets):
        groups.setdefault(category, []).append(target)
    means = {c: sum(v) / len(v) for c, v in groups.items()}
    prior = sum(means.values()) / len(means)
    out = []
    for category in apply_categories:
        if category not in groups:
            out.append(0.0)
            continue
        n = len(groups[category])
        out.append((n * means[category] + smoothing * prior) / (n + smoothing))
    return out
