import math


def ndcg_at_k(scores: list[float], relevance: list[float], k: int) -> float:
    """NDCG@k of the ranking the scores give, with gains 2^rel - 1.

    Equal scores keep the items' original order. No relevant item at all gives 0.0.
    """
    if len(scores) != len(relevance):
        raise ValueError("scores and relevance differ in length")
    if k <= 0:
        raise ValueError("k must be positive")
    if any(r < 0 for r in relevance):
        raise ValueError("relevance cannot be negative")

    def dcg(rels: list[float]) -> float:
        return sum((2 ** r - 1) / math.log2(i + 2) for i, r in enumerate(rels[:k]))

    ranked = [relevance[i] for i in sorted(range(len(scores)), key=lambda i: -scores[i])]
    ideal = dcg(sorted(relevance, reverse=True))
    return dcg(ranked) / ideal if ideal > 0 else 0.0
