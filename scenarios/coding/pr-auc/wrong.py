def pr_auc(scores: list[float], labels: list[int]) -> float:
    """Average precision, but ties are broken by position: each item is its own step."""
    if len(scores) != len(labels) or not scores:
        raise ValueError("bad input")
    positives = sum(labels)
    if positives == 0:
        raise ValueError("no positives")
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    area, hits = 0.0, 0
    for rank, i in enumerate(order, start=1):
        if labels[i] == 1:
            hits += 1
            area += hits / rank / positives
    return area
