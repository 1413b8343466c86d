//! all-MiniLM-L6-v2's six-layer BERT encoder, written for the way the reader uses it: a few
//! short sentences at a time, on a CPU, for the mean of their last hidden states.
//!
//! A general BERT pads every sentence of a batch to the longest and masks the padding out of
//! attention. Here the sentences' tokens are packed into one matrix with no padding: the
//! dense layers, which do nearly all of the arithmetic, see only real tokens, and attention
//! runs on each sentence's own rows. GELU's erf is a rational approximation the compiler can
//! vectorise (the exact one was an eighth of a reading). The result agrees with the numpy
//! reference to the same 1e-4 the general model met (casecoach's tests/embedder.rs).
//!
//! It is a crate of its own so that debug builds optimise it, as they do candle: casecoach's
//! tests run the model over thousands of sentences.

use candle_core::{Device, Module, Result, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;

/// The fields of the model's config.json the encoder reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
}

/// One transformer layer: attention, then the feed-forward block, each closed by a residual
/// sum and a layer norm.
struct Layer {
    /// Query, key and value in one matrix, so one product computes all three.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    up: Linear,
    down: Linear,
    norm: LayerNorm,
}

pub struct Encoder {
    words: Embedding,
    /// Each position's embedding plus token type 0's: every token here is of type 0.
    positions: Tensor,
    norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    dim: usize,
}

fn linear(vb: &VarBuilder, inputs: usize, outputs: usize) -> Result<Linear> {
    Ok(Linear::new(
        vb.get((outputs, inputs), "weight")?,
        Some(vb.get(outputs, "bias")?),
    ))
}

fn layer_norm(vb: &VarBuilder, size: usize, eps: f64) -> Result<LayerNorm> {
    Ok(LayerNorm::new(
        vb.get(size, "weight")?,
        vb.get(size, "bias")?,
        eps,
    ))
}

impl Layer {
    fn load(vb: VarBuilder, c: &Config) -> Result<Layer> {
        let (d, eps) = (c.hidden_size, c.layer_norm_eps);
        let attention = vb.pp("attention");
        let own = attention.pp("self");
        let part = |name: &str| -> Result<(Tensor, Tensor)> {
            let p = own.pp(name);
            Ok((p.get((d, d), "weight")?, p.get(d, "bias")?))
        };
        let (q, k, v) = (part("query")?, part("key")?, part("value")?);
        let qkv = Linear::new(
            Tensor::cat(&[&q.0, &k.0, &v.0], 0)?,
            Some(Tensor::cat(&[&q.1, &k.1, &v.1], 0)?),
        );
        let out = attention.pp("output");
        Ok(Layer {
            qkv,
            attention_out: linear(&out.pp("dense"), d, d)?,
            attention_norm: layer_norm(&out.pp("LayerNorm"), d, eps)?,
            up: linear(&vb.pp("intermediate").pp("dense"), d, c.intermediate_size)?,
            down: linear(&vb.pp("output").pp("dense"), c.intermediate_size, d)?,
            norm: layer_norm(&vb.pp("output").pp("LayerNorm"), d, eps)?,
        })
    }

    /// `x` is (tokens, dim); `lengths` says how many rows each sentence has, in order.
    fn forward(&self, x: &Tensor, lengths: &[usize], heads: usize) -> Result<Tensor> {
        let (tokens, dim) = x.dims2()?;
        let qkv = self.qkv.forward(x)?.flatten_all()?.to_vec1::<f32>()?;
        let context = attention(&qkv, lengths, heads, dim);
        let context = Tensor::from_vec(context, (tokens, dim), x.device())?;
        let x = self
            .attention_norm
            .forward(&(self.attention_out.forward(&context)? + x)?)?;
        let up = self.up.forward(&x)?;
        let shape = up.dims2()?;
        let mut h = up.flatten_all()?.to_vec1::<f32>()?;
        gelu(&mut h);
        let h = Tensor::from_vec(h, shape, x.device())?;
        self.norm.forward(&(self.down.forward(&h)? + x)?)
    }
}

impl Encoder {
    pub fn load(vb: VarBuilder, c: &Config) -> Result<Encoder> {
        if c.hidden_act != "gelu" {
            candle_core::bail!(
                "hidden_act is {:?}, the encoder runs \"gelu\"",
                c.hidden_act
            );
        }
        if c.hidden_size % c.num_attention_heads != 0 {
            candle_core::bail!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                c.hidden_size,
                c.num_attention_heads
            );
        }
        let d = c.hidden_size;
        let e = vb.pp("embeddings");
        let words = Embedding::new(e.pp("word_embeddings").get((c.vocab_size, d), "weight")?, d);
        let types = (e.pp("token_type_embeddings")).get((c.type_vocab_size, d), "weight")?;
        let positions = (e.pp("position_embeddings"))
            .get((c.max_position_embeddings, d), "weight")?
            .broadcast_add(&types.get(0)?)?;
        let norm = layer_norm(&e.pp("LayerNorm"), d, c.layer_norm_eps)?;
        let layers = (0..c.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), c))
            .collect::<Result<Vec<_>>>()?;
        Ok(Encoder {
            words,
            positions,
            norm,
            layers,
            heads: c.num_attention_heads,
            dim: d,
        })
    }

    /// Each sentence's last hidden states averaged over its tokens (not yet normalised), one
    /// row of `dim` per sentence. Every sentence must have at least one token and no more
    /// than the position table holds.
    pub fn pooled(&self, sentences: &[&[u32]]) -> Result<Vec<Vec<f32>>> {
        let lengths: Vec<usize> = sentences.iter().map(|s| s.len()).collect();
        if lengths.contains(&0) {
            candle_core::bail!("a sentence with no tokens");
        }
        let ids: Vec<u32> = sentences.concat();
        let places: Vec<u32> = (lengths.iter()).flat_map(|&n| 0..n as u32).collect();
        let tokens = ids.len();
        let device = &Device::Cpu;
        let ids = Tensor::from_vec(ids, tokens, device)?;
        let places = Tensor::from_vec(places, tokens, device)?;
        let x = (self.words.forward(&ids)? + self.positions.index_select(&places, 0)?)?;
        let mut x = self.norm.forward(&x)?;
        for layer in &self.layers {
            x = layer.forward(&x, &lengths, self.heads)?;
        }
        let hidden = x.flatten_all()?.to_vec1::<f32>()?;
        let mut out = Vec::with_capacity(sentences.len());
        let mut rows = hidden.chunks_exact(self.dim);
        for &n in &lengths {
            let mut mean = vec![0f32; self.dim];
            for row in rows.by_ref().take(n) {
                mean.iter_mut().zip(row).for_each(|(m, x)| *m += x);
            }
            mean.iter_mut().for_each(|m| *m /= n as f32);
            out.push(mean);
        }
        Ok(out)
    }
}

/// The dot product of two vectors of the same length.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    // Eight running sums, so the loop is vectorised (one sum would fix the order of additions).
    let mut lanes = [0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = (a8.remainder().iter().zip(b8.remainder()))
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Scaled dot-product attention within each sentence. `qkv` holds per token its query, key
/// and value (each `dim` wide, `heads` heads of `dim / heads`); the result is per token the
/// heads' contexts side by side, `dim` wide.
fn attention(qkv: &[f32], lengths: &[usize], heads: usize, dim: usize) -> Vec<f32> {
    let width = dim / heads;
    let scale = 1.0 / (width as f32).sqrt();
    let row = |t: usize, part: usize, h: usize| {
        let at = t * 3 * dim + part * dim + h * width;
        &qkv[at..at + width]
    };
    let tokens: usize = lengths.iter().sum();
    let mut out = vec![0f32; tokens * dim];
    let mut weights = Vec::new();
    let mut start = 0;
    for &n in lengths {
        for h in 0..heads {
            for i in start..start + n {
                let q = row(i, 0, h);
                weights.clear();
                weights.extend((start..start + n).map(|j| dot(q, row(j, 1, h)) * scale));
                let top = weights.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut total = 0.0;
                for w in weights.iter_mut() {
                    *w = (*w - top).exp();
                    total += *w;
                }
                let o = &mut out[i * dim + h * width..][..width];
                for (j, w) in (start..start + n).zip(&weights) {
                    let p = w / total;
                    o.iter_mut()
                        .zip(row(j, 2, h))
                        .for_each(|(o, v)| *o += p * v);
                }
            }
        }
        start += n;
    }
    out
}

/// GELU as BERT defines it, x·Φ(x) = x/2·(1 + erf(x/√2)), in place.
fn gelu(xs: &mut [f32]) {
    for x in xs {
        *x = 0.5 * *x * (1.0 + erf(*x * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// Each of `queries`' dot products with each row of `rows` (rows of `queries[0].len()`
/// each), one list per query; `rows` is read once for all the queries.
pub fn similarities(rows: &[f32], queries: &[&[f32]]) -> Vec<Vec<f32>> {
    let Some(dim) = queries.first().map(|q| q.len()) else {
        return Vec::new();
    };
    let mut out = vec![Vec::with_capacity(rows.len() / dim); queries.len()];
    for row in rows.chunks_exact(dim) {
        for (o, q) in out.iter_mut().zip(queries) {
            o.push(dot(row, q));
        }
    }
    out
}

/// erf for f32 as a ratio of odd and even polynomials on [-4, 4] (erf is ±1 to within 2e-8
/// beyond): the approximation Eigen and XLA use, within a few units in the last place of
/// the exact function and free of branches, so a loop over it is vectorised.
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = -2.726_142_3e-10_f32;
    for c in [
        2.770_681_4e-8,
        -2.101_024e-6,
        -5.692_506_4e-5,
        -7.349_906_3e-4,
        -2.954_6e-3,
        -1.609_603_3e-2,
    ] {
        p = p * x2 + c;
    }
    let mut q = -1.456_607_2e-5_f32;
    for c in [-2.133_740_6e-4, -1.682_827e-3, -7.373_329e-3, -1.426_474e-2] {
        q = q * x2 + c;
    }
    x * p / q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_agrees_with_the_exact_function() {
        let mut worst = 0f64;
        for i in -60_000..=60_000 {
            let x = i as f32 / 10_000.0;
            let exact = libm_erf(f64::from(x));
            worst = worst.max((f64::from(erf(x)) - exact).abs());
        }
        assert!(worst < 1e-6, "largest error {worst:e}");
        assert_eq!(erf(0.0), 0.0);
        assert!(erf(-100.0) <= -0.999_999 && erf(100.0) >= 0.999_999);
    }

    /// erf in f64 by its Taylor series (|x| < 3) and its continued fraction beyond: slow and
    /// exact enough to check the f32 approximation against.
    fn libm_erf(x: f64) -> f64 {
        if x.abs() >= 3.0 {
            // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
            let a = x.abs();
            let mut f = a;
            for k in (1..60).rev() {
                f = a + (k as f64 / 2.0) / f;
            }
            let erfc = (-a * a).exp() / std::f64::consts::PI.sqrt() / f;
            return x.signum() * (1.0 - erfc);
        }
        let mut term = x;
        let mut sum = x;
        for n in 1..200 {
            term *= -x * x / n as f64;
            sum += term / (2 * n + 1) as f64;
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn attention_within_a_sentence_ignores_the_others() {
        // Two heads of width 1 over dim 2; sentence one has two tokens, sentence two has one.
        #[rustfmt::skip]
        let qkv = [
            // q      k       v
            1., 0.,   1., 0.,   1., 10.,
            0., 1.,   0., 1.,   3., 20.,
            5., 5.,   5., 5.,   7., 70.,
        ];
        let out = attention(&qkv, &[2, 1], 2, 2);
        // A one-token sentence attends only to itself.
        assert_eq!(&out[4..6], &[7.0, 70.0]);
        // Token one, head one: scores 1 and 0 over values 1 and 3.
        let p = 1f32.exp() / (1f32.exp() + 1.0);
        assert!((out[0] - (p * 1.0 + (1.0 - p) * 3.0)).abs() < 1e-6);
        // Token one, head two: scores 0 and 0, so the plain mean of 10 and 20.
        assert!((out[1] - 15.0).abs() < 1e-5);
    }
}
