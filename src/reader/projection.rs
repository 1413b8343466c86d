//! The fact projection: a learned linear map of sentence embeddings under which a clarifying
//! question comes nearer the prototype of the fact it asks for than the scenario's other facts.
//! It maps meanings, not fact ids, so it serves a scenario written after training too. Trained
//! by full-batch Adam from the identity, in a fixed order: the same corpus gives the same map.

use super::embed::dot;
use super::heads::{Adam, Hidden, Linear, Training, softmax};
use serde::{Deserialize, Serialize};

/// A learned linear map of sentence embeddings, under which a question comes nearer the
/// prototype of what it asks for than the others' (`train_projection`). Stored a byte a weight,
/// as `Hidden` is, and read back to floats once, since every input it maps is dense.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "Hidden", into = "Hidden")]
pub struct Projection {
    stored: Hidden,
    /// `stored`'s rows as floats.
    rows: Vec<f32>,
}

impl From<Hidden> for Projection {
    fn from(stored: Hidden) -> Projection {
        let rows = (stored.q.chunks(stored.inputs.max(1)))
            .zip(&stored.scale)
            .flat_map(|(row, s)| row.iter().map(move |q| f32::from(*q) * s))
            .collect();
        Projection { stored, rows }
    }
}

impl From<Projection> for Hidden {
    fn from(p: Projection) -> Hidden {
        p.stored
    }
}

impl Projection {
    pub fn apply(&self, x: &[f32]) -> Vec<f32> {
        (self.rows.chunks(self.stored.inputs.max(1)))
            .zip(&self.stored.b)
            .map(|(row, b)| dot(row, x) + b)
            .collect()
    }

    /// The chance of each choice, from its projected nearness, as training scored them.
    pub fn chances(nearness: &[f32]) -> Vec<f32> {
        softmax(&nearness.iter().map(|n| SHARPNESS * n).collect::<Vec<_>>())
    }
}

/// A question, the prototypes of the answers it chooses among, and the one it asks for.
pub struct Choice {
    pub query: Vec<f32>,
    pub prototypes: Vec<Vec<f32>>,
    pub answer: usize,
}

/// How sharply a projected nearness decides among the prototypes in training: nearness lies in
/// about [-1, 1], and a softmax over that range barely prefers anything.
const SHARPNESS: f32 = 20.0;

/// The map P under which a softmax over `(P q)·(P c)` picks each choice's answer: trained by
/// full-batch Adam from the identity, with weight decay toward it (`t.l2`), so that P only
/// moves where the choices ask it to and reads unseen sentences as the embedding does.
pub fn train_projection(choices: &[Choice], t: Training) -> Projection {
    use rayon::prelude::*;
    let d = choices.first().map_or(0, |c| c.query.len());
    let mut p = Linear::zeros(d, d);
    for (i, row) in p.w.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    let mut adam = Adam::new(d, d);
    let n = choices.len().max(1) as f32;
    let apply = |p: &Linear, x: &[f32]| -> Vec<f32> { p.w.iter().map(|r| dot(r, x)).collect() };
    // A fixed number of parts, summed in order: the same weights on any number of cores.
    let chunk = choices.len().div_ceil(8).max(1);
    for _ in 0..t.epochs {
        let grads: Vec<Linear> = choices
            .par_chunks(chunk)
            .map(|part| {
                let mut grad = Linear::zeros(d, d);
                for c in part {
                    let u = apply(&p, &c.query);
                    let scores: Vec<f32> = (c.prototypes.iter())
                        .map(|proto| SHARPNESS * dot(&u, &apply(&p, proto)))
                        .collect();
                    let mut g = vec![0.0; d];
                    for (k, (pk, proto)) in
                        softmax(&scores).into_iter().zip(&c.prototypes).enumerate()
                    {
                        let e = pk - if k == c.answer { 1.0 } else { 0.0 };
                        for (gi, ci) in g.iter_mut().zip(proto) {
                            *gi += e * ci;
                        }
                    }
                    let v = apply(&p, &g);
                    // d/dP of (P q)·(P g) is P (q gᵀ + g qᵀ).
                    for (o, row) in grad.w.iter_mut().enumerate() {
                        let (uo, vo) = (SHARPNESS * u[o] / n, SHARPNESS * v[o] / n);
                        for ((r, gi), qi) in row.iter_mut().zip(&g).zip(&c.query) {
                            *r += uo * gi + vo * qi;
                        }
                    }
                }
                grad
            })
            .collect();
        let mut grad = Linear::zeros(d, d);
        for part in grads {
            for (row, prow) in grad.w.iter_mut().zip(part.w) {
                for (r, x) in row.iter_mut().zip(prow) {
                    *r += x;
                }
            }
        }
        for (o, row) in grad.w.iter_mut().enumerate() {
            for (i, r) in row.iter_mut().enumerate() {
                let identity = if i == o { 1.0 } else { 0.0 };
                *r += t.l2 * (p.w[o][i] - identity);
            }
        }
        adam.step(&mut p, &grad, t.rate);
    }
    let flat: Vec<f32> = p.w.concat();
    Projection::from(Hidden::quantise(&flat, d, vec![0.0; d]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_projection_learns_which_words_ask_for_which_answer_and_is_deterministic() {
        // Questions for the answer along e0 are worded along e2 and lean to e1; questions for
        // the one along e1 are worded along e3 and lean to e0: the plain nearness picks the
        // wrong answer for every one of them.
        let unit = |v: [f32; 4]| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.map(|x| x / n).to_vec()
        };
        let prototypes = vec![unit([1.0, 0.0, 0.0, 0.0]), unit([0.0, 1.0, 0.0, 0.0])];
        let question = |answer: usize, i: usize| {
            let wobble = 0.1 * (i as f32 * 1.7).sin();
            Choice {
                query: if answer == 0 {
                    unit([0.3, 0.5 + wobble, 1.0, wobble])
                } else {
                    unit([0.5 + wobble, 0.3, wobble, 1.0])
                },
                prototypes: prototypes.clone(),
                answer,
            }
        };
        let train: Vec<Choice> = (0..40).map(|i| question(i % 2, i)).collect();
        let unseen: Vec<Choice> = (100..120).map(|i| question(i % 2, i)).collect();
        let picks = |p: &dyn Fn(&[f32]) -> Vec<f32>, c: &Choice| {
            let q = p(&c.query);
            let near: Vec<f32> = c.prototypes.iter().map(|v| dot(&q, &p(v))).collect();
            usize::from(near[1] > near[0])
        };
        assert!(unseen.iter().all(|c| picks(&|x| x.to_vec(), c) != c.answer));
        let t = Training {
            epochs: 200,
            rate: 0.01,
            l2: 0.001,
        };
        let learned = train_projection(&train, t);
        for c in &unseen {
            assert_eq!(picks(&|x| learned.apply(x), c), c.answer, "{:?}", c.query);
        }
        assert_eq!(learned, train_projection(&train, t));
    }
}
