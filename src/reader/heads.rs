//! The reader's trained heads: small linear classifiers over a sentence's features (its
//! embedding and its cue hits). Training is plain full-batch gradient descent with Adam from
//! zero weights, in a fixed order, so the same corpus always gives the same weights.

use serde::{Deserialize, Serialize};

/// A linear layer: `outputs` rows of weights over the inputs, and a bias each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    pub w: Vec<Vec<f32>>,
    pub b: Vec<f32>,
}

impl Linear {
    fn zeros(outputs: usize, inputs: usize) -> Linear {
        Linear {
            w: vec![vec![0.0; inputs]; outputs],
            b: vec![0.0; outputs],
        }
    }

    pub fn logits(&self, x: &[f32]) -> Vec<f32> {
        self.w
            .iter()
            .zip(&self.b)
            .map(|(w, b)| w.iter().zip(x).map(|(w, x)| w * x).sum::<f32>() + b)
            .collect()
    }

    /// The logits of an input given as its non-zero (index, value) pairs.
    fn sparse_logits(&self, x: &[(usize, f32)]) -> Vec<f32> {
        self.w
            .iter()
            .zip(&self.b)
            .map(|(w, b)| x.iter().map(|&(i, v)| w[i] * v).sum::<f32>() + b)
            .collect()
    }

    /// Independent probabilities, one per output (multi-label).
    pub fn sigmoid(&self, x: &[f32]) -> Vec<f32> {
        self.logits(x).into_iter().map(sigmoid).collect()
    }

    /// One distribution over the outputs (one label of many).
    pub fn softmax(&self, x: &[f32]) -> Vec<f32> {
        softmax(&self.logits(x))
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

fn softmax(z: &[f32]) -> Vec<f32> {
    let max = z.iter().cloned().fold(f32::MIN, f32::max);
    let e: Vec<f32> = z.iter().map(|v| (v - max).exp()).collect();
    let sum: f32 = e.iter().sum();
    e.into_iter().map(|v| v / sum).collect()
}

/// Each input as its non-zero (index, value) pairs: most of a sentence's word features are zero,
/// and training visits every input hundreds of times.
fn sparse(xs: &[Vec<f32>]) -> Vec<Vec<(usize, f32)>> {
    xs.iter()
        .map(|x| {
            x.iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .map(|(i, v)| (i, *v))
                .collect()
        })
        .collect()
}

/// How a head is trained.
#[derive(Debug, Clone, Copy)]
pub struct Training {
    pub epochs: usize,
    pub rate: f32,
    pub l2: f32,
}

impl Default for Training {
    fn default() -> Training {
        Training {
            epochs: 300,
            rate: 0.05,
            l2: 1e-4,
        }
    }
}

/// Adam's moment estimates for one layer.
struct Adam {
    m: Linear,
    v: Linear,
    t: i32,
}

impl Adam {
    fn new(outputs: usize, inputs: usize) -> Adam {
        Adam {
            m: Linear::zeros(outputs, inputs),
            v: Linear::zeros(outputs, inputs),
            t: 0,
        }
    }

    fn step(&mut self, layer: &mut Linear, grad: &Linear, rate: f32) {
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        self.t += 1;
        let (c1, c2) = (1.0 - B1.powi(self.t), 1.0 - B2.powi(self.t));
        let update = |p: &mut f32, g: f32, m: &mut f32, v: &mut f32| {
            *m = B1 * *m + (1.0 - B1) * g;
            *v = B2 * *v + (1.0 - B2) * g * g;
            *p -= rate * (*m / c1) / ((*v / c2).sqrt() + 1e-8);
        };
        for o in 0..layer.w.len() {
            for i in 0..layer.w[o].len() {
                update(
                    &mut layer.w[o][i],
                    grad.w[o][i],
                    &mut self.m.w[o][i],
                    &mut self.v.w[o][i],
                );
            }
            update(
                &mut layer.b[o],
                grad.b[o],
                &mut self.m.b[o],
                &mut self.v.b[o],
            );
        }
    }
}

/// One-vs-rest logistic heads: `ys[n][k]` says whether example n has label k. Positives are
/// weighted up to balance each label, since most labels are rare.
pub fn train_multilabel(xs: &[Vec<f32>], ys: &[Vec<bool>], labels: usize, t: Training) -> Linear {
    let inputs = xs.first().map_or(0, Vec::len);
    let mut layer = Linear::zeros(labels, inputs);
    let mut adam = Adam::new(labels, inputs);
    let n = xs.len().max(1) as f32;
    let weight: Vec<f32> = (0..labels)
        .map(|k| {
            let pos = ys.iter().filter(|y| y[k]).count().max(1) as f32;
            ((n - pos) / pos).clamp(1.0, 20.0).sqrt()
        })
        .collect();
    let xs = sparse(xs);
    for _ in 0..t.epochs {
        let mut grad = Linear::zeros(labels, inputs);
        for (x, y) in xs.iter().zip(ys) {
            for (k, z) in layer.sparse_logits(x).into_iter().enumerate() {
                let target = if y[k] { 1.0 } else { 0.0 };
                let g = (sigmoid(z) - target) * if y[k] { weight[k] } else { 1.0 } / n;
                for &(i, xi) in x {
                    grad.w[k][i] += g * xi;
                }
                grad.b[k] += g;
            }
        }
        add_l2(&mut grad, &layer, t.l2);
        adam.step(&mut layer, &grad, t.rate);
    }
    layer
}

/// A softmax head over `classes`: `ys[n]` is example n's class.
pub fn train_softmax(xs: &[Vec<f32>], ys: &[usize], classes: usize, t: Training) -> Linear {
    let inputs = xs.first().map_or(0, Vec::len);
    let mut layer = Linear::zeros(classes, inputs);
    let mut adam = Adam::new(classes, inputs);
    let n = xs.len().max(1) as f32;
    let xs = sparse(xs);
    for _ in 0..t.epochs {
        let mut grad = Linear::zeros(classes, inputs);
        for (x, &y) in xs.iter().zip(ys) {
            for (k, p) in softmax(&layer.sparse_logits(x)).into_iter().enumerate() {
                let g = (p - if k == y { 1.0 } else { 0.0 }) / n;
                for &(i, xi) in x {
                    grad.w[k][i] += g * xi;
                }
                grad.b[k] += g;
            }
        }
        add_l2(&mut grad, &layer, t.l2);
        adam.step(&mut layer, &grad, t.rate);
    }
    layer
}

fn add_l2(grad: &mut Linear, layer: &Linear, l2: f32) {
    for (gw, w) in grad.w.iter_mut().zip(&layer.w) {
        for (g, w) in gw.iter_mut().zip(w) {
            *g += l2 * w;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multilabel_head_learns_separable_labels_and_is_deterministic() {
        // Label 0 fires on the first input, label 1 on the second.
        let xs: Vec<Vec<f32>> = (0..40)
            .map(|i| vec![(i % 2) as f32, ((i / 2) % 2) as f32, 1.0])
            .collect();
        let ys: Vec<Vec<bool>> = xs.iter().map(|x| vec![x[0] > 0.5, x[1] > 0.5]).collect();
        let t = Training::default();
        let head = train_multilabel(&xs, &ys, 2, t);
        for (x, y) in xs.iter().zip(&ys) {
            let p = head.sigmoid(x);
            assert_eq!((p[0] > 0.5, p[1] > 0.5), (y[0], y[1]), "{x:?} -> {p:?}");
        }
        assert_eq!(head, train_multilabel(&xs, &ys, 2, t));
    }

    #[test]
    fn a_softmax_head_picks_the_class() {
        let xs: Vec<Vec<f32>> = (0..30)
            .map(|i| {
                let mut v = vec![0.0; 3];
                v[i % 3] = 1.0;
                v
            })
            .collect();
        let ys: Vec<usize> = (0..30).map(|i| i % 3).collect();
        let head = train_softmax(&xs, &ys, 3, Training::default());
        for (x, &y) in xs.iter().zip(&ys) {
            let p = head.softmax(x);
            let best = (0..3).max_by(|a, b| p[*a].total_cmp(&p[*b])).unwrap();
            assert_eq!(best, y);
        }
    }
}
