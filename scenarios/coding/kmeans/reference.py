import math


def kmeans(
    points: list[list[float]],
    centroids: list[list[float]],
    max_iter: int = 100,
    tol: float = 1e-6,
) -> tuple[list[list[float]], list[int], int]:
    """Lloyd's k-means from the given starting centroids.

    Each round assigns every point to its nearest centroid (Euclidean distance, a tie going to the
    lowest index), then moves every centroid to the mean of its points; a centroid left without
    points stays where it is. The run stops after the first round in which no centroid moved by
    more than tol, or after max_iter rounds. Returns the final centroids, the index of the nearest
    final centroid for each point, and the number of rounds run.
    """
    if not points:
        raise ValueError("no points")
    if not centroids:
        raise ValueError("no centroids: k must be at least 1")
    if len(centroids) > len(points):
        raise ValueError("more centroids than points")
    d = len(points[0])
    if any(len(p) != d for p in points) or any(len(c) != d for c in centroids):
        raise ValueError("points and centroids must all have the same number of coordinates")
    if max_iter <= 0:
        raise ValueError("max_iter must be positive")
    if tol < 0:
        raise ValueError("tol cannot be negative")

    def nearest(p: list[float], cs: list[list[float]]) -> int:
        best, best_d = 0, math.inf
        for j, c in enumerate(cs):
            dist = sum((a - b) ** 2 for a, b in zip(p, c))
            if dist < best_d:  # strict: an equal distance keeps the lower index
                best, best_d = j, dist
        return best

    current = [[float(x) for x in c] for c in centroids]
    rounds = 0
    while rounds < max_iter:
        rounds += 1
        sums = [[0.0] * d for _ in current]
        counts = [0] * len(current)
        for p in points:
            j = nearest(p, current)
            counts[j] += 1
            for t in range(d):
                sums[j][t] += p[t]
        moved = 0.0
        new = []
        for c, s, n in zip(current, sums, counts):
            nc = [x / n for x in s] if n else c
            moved = max(moved, math.dist(c, nc))
            new.append(nc)
        current = new
        if moved <= tol:
            break
    labels = [nearest(p, current) for p in points]
    return current, labels, rounds
