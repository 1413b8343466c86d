def pr_auc(scores: list[float], labels: list[int]) -> float:
    """Average precision: the area under the precision-recall curve as a step function.

    Items with equal scores cross the threshold together, so a tie is one step.
    """
    if len(scores) != len(labels):
        raise ValueError("scores and labels differ in length")
    if not scores:
        raise ValueError("no examples")
    if any(label not in (0, 1) for label in labels):
        raise ValueError("labels must be 0 or 1")
    positives = sum(labels)
    if positives == 0:
        raise ValueError("no positive examples: precision-recall is undefined")
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    area, seen, hits, recall_before = 0.0, 0, 0, 0.0
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and scores[order[j]] == scores[order[i]]:
            hits += labels[order[j]]
            j += 1
        seen += j - i
        recall = hits / positives
        area += (recall - recall_before) * (hits / seen)
        recall_before = recall
        i = j
    return area
