import math


def kmeans(
    points: list[list[float]],
    centroids: list[list[float]],
    max_iter: int = 100,
    tol: float = 1e-6,
) -> tuple[list[list[float]], list[int], int]:
    """Lloyd's k-means, but an empty cluster's centroid collapses to the origin.

    The mean is taken as sum / max(count, 1) to avoid dividing by zero, so a centroid that loses
    every point jumps to all zeros instead of staying where it was.
    """
    if not points or not centroids or len(centroids) > len(points):
        raise ValueError("bad points or centroids")
    d = len(points[0])
    if any(len(p) != d for p in points) or any(len(c) != d for c in centroids):
        raise ValueError("inconsistent dimensions")
    if max_iter <= 0 or tol < 0:
        raise ValueError("bad max_iter or tol")

    def nearest(p, cs):
        dists = [math.dist(p, c) for c in cs]
        return dists.index(min(dists))

    current = [list(map(float, c)) for c in centroids]
    rounds = 0
    for rounds in range(1, max_iter + 1):
        sums = [[0.0] * d for _ in current]
        counts = [0] * len(current)
        for p in points:
            j = nearest(p, current)
            counts[j] += 1
            for t in range(d):
                sums[j][t] += p[t]
        new = [[x / max(n, 1) for x in s] for s, n in zip(sums, counts)]
        moved = max(math.dist(a, b) for a, b in zip(current, new))
        current = new
        if moved <= tol:
            break
    return current, [nearest(p, current) for p in points], rounds
