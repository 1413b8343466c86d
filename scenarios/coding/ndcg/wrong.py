import math


def ndcg_at_k(scores: list[float], relevance: list[float], k: int) -> float:
    """NDCG@k, but the ideal ranking is cut from the whole list before sorting."""
    if k <= 0:
        raise ValueError("k must be positive")

    def dcg(rels):
        return sum((2 ** r - 1) / math.log2(i + 2) for i, r in enumerate(rels))

    ranked = [relevance[i] for i in sorted(range(len(scores)), key=lambda i: -scores[i])][:k]
    ideal = dcg(sorted(relevance[:k], reverse=True))
    return dcg(ranked) / ideal if ideal > 0 else 0.0
