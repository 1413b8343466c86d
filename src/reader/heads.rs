//! The reader's trained heads: small classifiers over a sentence's features (its embedding and
//! its cue hits). The linear ones are trained by plain full-batch gradient descent with Adam from
//! zero weights, in a fixed order; the checkpoint head's hidden layer by mini-batches from a
//! seeded initialisation, in a seeded order. Either way the same corpus gives the same weights.
//! The fact projection (`projection.rs`) is trained with the same Adam.

use anyhow::{Result, bail};
use candle_core::{D, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use serde::{Deserialize, Serialize};

/// A linear layer: `outputs` rows of weights over the inputs, and a bias each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Linear {
    pub w: Vec<Vec<f32>>,
    pub b: Vec<f32>,
}

impl Linear {
    pub(super) fn zeros(outputs: usize, inputs: usize) -> Linear {
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

pub(super) fn softmax(z: &[f32]) -> Vec<f32> {
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
pub(super) struct Adam {
    m: Linear,
    v: Linear,
    t: i32,
}

impl Adam {
    pub(super) fn new(outputs: usize, inputs: usize) -> Adam {
        Adam {
            m: Linear::zeros(outputs, inputs),
            v: Linear::zeros(outputs, inputs),
            t: 0,
        }
    }

    pub(super) fn step(&mut self, layer: &mut Linear, grad: &Linear, rate: f32) {
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

/// How much each label's positives weigh: the negatives per positive, capped, to the power
/// `power`; most labels are rare.
fn positive_weights(ys: &[Vec<bool>], labels: usize, power: f32) -> Vec<f32> {
    let n = ys.len().max(1) as f32;
    (0..labels)
        .map(|k| {
            let pos = ys.iter().filter(|y| y[k]).count().max(1) as f32;
            ((n - pos) / pos).clamp(1.0, 20.0).powf(power)
        })
        .collect()
}

/// One-vs-rest logistic heads: `ys[n][k]` says whether example n has label k. Positives are
/// weighted up (by the square root of their rarity) to balance each label.
pub fn train_multilabel(xs: &[Vec<f32>], ys: &[Vec<bool>], labels: usize, t: Training) -> Linear {
    let inputs = xs.first().map_or(0, Vec::len);
    let mut layer = Linear::zeros(labels, inputs);
    let mut adam = Adam::new(labels, inputs);
    let n = xs.len().max(1) as f32;
    let weight = positive_weights(ys, labels, 0.5);
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

/// A layer of rectified units over the inputs. Its weights are stored a byte each, with one
/// scale per unit: as floats they would make the shipped heads several megabytes, and on the
/// tuning lines the bytes read as well as the floats did (micro F1 0.765, against 0.763).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StoredHidden", into = "StoredHidden")]
pub struct Hidden {
    pub(super) inputs: usize,
    /// `units` rows of `inputs` bytes.
    pub(super) q: Vec<i8>,
    pub(super) scale: Vec<f32>,
    pub(super) b: Vec<f32>,
}

/// `Hidden` as it is written: the bytes as hex.
#[derive(Serialize, Deserialize)]
struct StoredHidden {
    inputs: usize,
    scale: Vec<f32>,
    b: Vec<f32>,
    w: String,
}

impl From<Hidden> for StoredHidden {
    fn from(h: Hidden) -> StoredHidden {
        use std::fmt::Write;
        let mut w = String::with_capacity(2 * h.q.len());
        for q in &h.q {
            let _ = write!(w, "{:02x}", *q as u8);
        }
        StoredHidden {
            inputs: h.inputs,
            scale: h.scale,
            b: h.b,
            w,
        }
    }
}

impl TryFrom<StoredHidden> for Hidden {
    type Error = String;

    fn try_from(s: StoredHidden) -> Result<Hidden, String> {
        let units = s.b.len();
        if s.scale.len() != units || s.w.len() != 2 * units * s.inputs {
            return Err(format!(
                "a hidden layer of {units} units over {} inputs needs {units} scales and {} hex digits",
                s.inputs,
                2 * units * s.inputs
            ));
        }
        let q =
            s.w.as_bytes()
                .chunks(2)
                .map(|pair| {
                    std::str::from_utf8(pair)
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .map(|b| b as i8)
                        .ok_or_else(|| "the hidden layer's weights are not hex".to_string())
                })
                .collect::<Result<_, _>>()?;
        Ok(Hidden {
            inputs: s.inputs,
            q,
            scale: s.scale,
            b: s.b,
        })
    }
}

impl Hidden {
    /// Each unit's weights to the nearest of 255 steps of its largest.
    pub(super) fn quantise(w: &[f32], inputs: usize, b: Vec<f32>) -> Hidden {
        let mut q = Vec::with_capacity(w.len());
        let mut scale = Vec::with_capacity(b.len());
        for row in w.chunks(inputs) {
            let s = row.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-12) / 127.0;
            q.extend(
                row.iter()
                    .map(|v| (v / s).round().clamp(-127.0, 127.0) as i8),
            );
            scale.push(s);
        }
        Hidden {
            inputs,
            q,
            scale,
            b,
        }
    }

    /// The units' outputs; the inputs are mostly zeros (the words), which are skipped.
    pub fn apply(&self, x: &[f32]) -> Vec<f32> {
        let nz: Vec<(usize, f32)> = x
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0.0)
            .map(|(i, v)| (i, *v))
            .collect();
        self.q
            .chunks(self.inputs)
            .zip(&self.scale)
            .zip(&self.b)
            .map(|((row, s), b)| {
                let z: f32 = nz.iter().map(|&(i, v)| f32::from(row[i]) * v).sum();
                (z * s + b).max(0.0)
            })
            .collect()
    }
}

/// How the checkpoint head's hidden layer is trained.
#[derive(Debug, Clone, Copy)]
pub struct MlpTraining {
    pub units: usize,
    pub epochs: usize,
    pub batch: usize,
    pub rate: f64,
    pub weight_decay: f64,
    /// The share of inputs, and of hidden units, dropped from each example at each step.
    pub input_dropout: f32,
    pub dropout: f32,
    pub seed: u64,
}

impl Default for MlpTraining {
    /// Chosen on the tuning lines (see `train`).
    fn default() -> MlpTraining {
        MlpTraining {
            units: 256,
            epochs: 40,
            batch: 64,
            rate: 1e-3,
            weight_decay: 0.01,
            input_dropout: 0.2,
            dropout: 0.3,
            seed: 1,
        }
    }
}

/// SplitMix64: a seeded source for the initial weights, the batch order and the dropout masks,
/// so training is repeatable (candle's own CPU generator cannot be seeded).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn uniform(&mut self, rows: usize, cols: usize, bound: f32) -> Result<Tensor> {
        let v: Vec<f32> = (0..rows * cols)
            .map(|_| (self.unit() * 2.0 - 1.0) * bound)
            .collect();
        Ok(Tensor::from_vec(v, (rows, cols), &Device::Cpu)?)
    }

    /// Inverted dropout: zeros at rate `p`, the kept scaled up to keep the expected sum.
    fn dropout(&mut self, rows: usize, cols: usize, p: f32) -> Result<Tensor> {
        let keep = 1.0 / (1.0 - p);
        let v: Vec<f32> = (0..rows * cols)
            .map(|_| if self.unit() < p { 0.0 } else { keep })
            .collect();
        Ok(Tensor::from_vec(v, (rows, cols), &Device::Cpu)?)
    }
}

/// One-vs-rest heads over a hidden layer: what a linear head over one embedding cannot tell
/// apart (checkpoints whose sentences sit close together), rectified units combining the
/// embedding, the nearness and the words can. `emphasis` multiplies each input while training
/// (the embedding's components are small beside the other features, and the units learn from
/// it better scaled up); it is folded into the stored weights, so the head reads unscaled
/// inputs. Positives are weighted by their full rarity, not its square root as in the linear
/// heads: the tuning lines' recall, the head's weak side, rises more than precision falls
/// (micro F1 0.763, against 0.748).
pub fn train_mlp(
    xs: &[Vec<f32>],
    ys: &[Vec<bool>],
    labels: usize,
    emphasis: &[f32],
    t: MlpTraining,
) -> Result<(Hidden, Linear)> {
    let dev = Device::Cpu;
    let (n, inputs) = (xs.len(), emphasis.len());
    if n == 0 || xs.iter().any(|x| x.len() != inputs) {
        bail!("a hidden layer needs examples of {inputs} inputs");
    }
    let mut rng = Rng(t.seed);
    let w1 = Var::from_tensor(&rng.uniform(t.units, inputs, 1.0 / (inputs as f32).sqrt())?)?;
    let b1 = Var::zeros(t.units, candle_core::DType::F32, &dev)?;
    let w2 = Var::from_tensor(&rng.uniform(labels, t.units, 1.0 / (t.units as f32).sqrt())?)?;
    let b2 = Var::zeros(labels, candle_core::DType::F32, &dev)?;
    let params = ParamsAdamW {
        lr: t.rate,
        weight_decay: t.weight_decay,
        ..ParamsAdamW::default()
    };
    let mut opt = AdamW::new(vec![w1.clone(), b1.clone(), w2.clone(), b2.clone()], params)?;
    let flat: Vec<f32> = xs
        .iter()
        .flat_map(|x| x.iter().zip(emphasis).map(|(v, e)| v * e))
        .collect();
    let x_all = Tensor::from_vec(flat, (n, inputs), &dev)?;
    let target: Vec<f32> = ys
        .iter()
        .flatten()
        .map(|y| f32::from(u8::from(*y)))
        .collect();
    let y_all = Tensor::from_vec(target, (n, labels), &dev)?;
    let pw = positive_weights(ys, labels, 1.0);
    let weight: Vec<f32> = ys
        .iter()
        .flat_map(|y| y.iter().zip(&pw).map(|(y, w)| if *y { *w } else { 1.0 }))
        .collect();
    let w_all = Tensor::from_vec(weight, (n, labels), &dev)?;
    let mut order: Vec<u32> = (0..n as u32).collect();
    for _ in 0..t.epochs {
        for i in (1..n).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        for batch in order.chunks(t.batch) {
            let rows = Tensor::from_slice(batch, batch.len(), &dev)?;
            let x = x_all.index_select(&rows, 0)?;
            let x = (x * rng.dropout(batch.len(), inputs, t.input_dropout)?)?;
            let h = x.matmul(&w1.t()?)?.broadcast_add(&b1)?.relu()?;
            let h = (h * rng.dropout(batch.len(), t.units, t.dropout)?)?;
            let z = h.matmul(&w2.t()?)?.broadcast_add(&b2)?;
            let y = y_all.index_select(&rows, 0)?;
            // Cross-entropy from the logits, stably: max(z, 0) - z y + ln(1 + e^-|z|).
            let soft = (z.abs()?.neg()?.exp()? + 1.0)?.log()?;
            let bce = ((z.relu()? - (&z * &y)?)? + soft)?;
            let loss = (bce * w_all.index_select(&rows, 0)?)?
                .sum(D::Minus1)?
                .mean_all()?;
            opt.backward_step(&loss)?;
        }
    }
    let w: Vec<f32> = w1
        .as_tensor()
        .to_vec2::<f32>()?
        .into_iter()
        .flat_map(|row| row.into_iter().zip(emphasis).map(|(w, e)| w * e))
        .collect();
    let hidden = Hidden::quantise(&w, inputs, b1.as_tensor().to_vec1()?);
    let out = Linear {
        w: w2.as_tensor().to_vec2()?,
        b: b2.as_tensor().to_vec1()?,
    };
    Ok((hidden, out))
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
    fn a_hidden_layer_learns_what_no_linear_head_can_and_is_deterministic() {
        // Label 0 is the exclusive or of the first two inputs; label 1 is the first input.
        let xs: Vec<Vec<f32>> = (0..64)
            .map(|i| vec![(i % 2) as f32, ((i / 2) % 2) as f32, 0.0, 1.0])
            .collect();
        let ys: Vec<Vec<bool>> = xs
            .iter()
            .map(|x| vec![(x[0] > 0.5) != (x[1] > 0.5), x[0] > 0.5])
            .collect();
        let t = MlpTraining {
            units: 16,
            epochs: 200,
            batch: 16,
            rate: 1e-2,
            input_dropout: 0.0,
            dropout: 0.0,
            ..MlpTraining::default()
        };
        let emphasis = [1.0, 1.0, 3.0, 1.0];
        let (hidden, out) = train_mlp(&xs, &ys, 2, &emphasis, t).unwrap();
        for (x, y) in xs.iter().zip(&ys) {
            let p = out.sigmoid(&hidden.apply(x));
            assert_eq!((p[0] > 0.5, p[1] > 0.5), (y[0], y[1]), "{x:?} -> {p:?}");
        }
        assert_eq!((hidden, out), train_mlp(&xs, &ys, 2, &emphasis, t).unwrap());
    }

    #[test]
    fn a_hidden_layer_is_stored_as_it_reads() {
        let w = [0.5, -1.0, 0.25, 0.0, 2.0, -0.125];
        let hidden = Hidden::quantise(&w, 3, vec![0.1, -0.2]);
        let x = [1.0, 0.0, -2.0];
        for (got, want) in hidden.apply(&x).iter().zip([0.1f32, 0.05]) {
            assert!((got - want).abs() < 0.02, "{got} vs {want}");
        }
        let json = serde_json::to_string(&hidden).unwrap();
        assert_eq!(serde_json::from_str::<Hidden>(&json).unwrap(), hidden);
        let short = json.replace("\"w\":\"", "\"w\":\"00");
        assert!(serde_json::from_str::<Hidden>(&short).is_err());
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
