//! The reader's memory of its training lines: each line's embedding, quantised to bytes, with
//! the checkpoints it earns and its act. How near a sentence comes to labelled neighbours is a
//! feature the heads learn from: a linear head over one embedding blurs checkpoints that sit
//! close together, and a close neighbour with the right label often tells them apart.
//!
//! `casecoach train` writes the bank (`exemplars.bin`) beside the heads; both ship in the binary.
//! While training, a line never sees the lines of its own group, so the heads learn from
//! nearness as a new sentence will meet it.

use super::corpus::{Act, Case};
use crate::framework::CHECKPOINTS;
use anyhow::{Result, bail};

/// The bank that ships, written by `casecoach train`.
pub const EXEMPLARS: &[u8] = include_bytes!("exemplars.bin");

const MAGIC: &[u8; 6] = b"CCEX2\n";

/// Neighbours whose labels vote.
const VOTERS: usize = 10;

/// How many features `features` returns: per checkpoint the nearest exemplar showing it and the
/// share of the nearest `VOTERS` that do; per act the nearest exemplar doing it.
pub const FEATURES: usize = 2 * CHECKPOINTS.len() + Act::ALL.len();

pub struct Exemplars {
    dim: usize,
    /// One row of `dim` per exemplar, as stored, and as unit vectors.
    bytes: Vec<i8>,
    vectors: Vec<f32>,
    /// Bit k: the exemplar earns `CHECKPOINTS[k]`.
    checkpoints: Vec<u64>,
    acts: Vec<u8>,
    groups: Vec<u64>,
    /// For a question that asks for a hidden fact: "scenario/fact", else empty.
    facts: Vec<String>,
}

/// How a fact is named in the bank.
pub fn fact_key(scenario: &str, fact: &str) -> String {
    format!("{scenario}/{fact}")
}

/// What names a bank: the FNV-1a 64 of its bytes, in hex.
pub fn checksum(bank: &Exemplars) -> String {
    format!("{:016x}", fnv1a(&bank.to_bytes()))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A group's number: the same FNV-1a 64 the held-out rule uses.
pub fn group_id(group: &str) -> u64 {
    fnv1a(group.as_bytes())
}

fn quantise(v: &[f32]) -> Vec<i8> {
    v.iter()
        .map(|x| (x * 127.0).round().clamp(-127.0, 127.0) as i8)
        .collect()
}

/// Bytes back to a unit vector: quantising moves it a little off the sphere.
fn dequantise(q: &[i8]) -> Vec<f32> {
    let v: Vec<f32> = q.iter().map(|&b| f32::from(b) / 127.0).collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.into_iter().map(|x| x / n).collect()
}

impl Exemplars {
    /// A bank of training lines with their embeddings.
    pub fn new<'a>(lines: impl IntoIterator<Item = (&'a Case, &'a [f32])>) -> Exemplars {
        let mut bank = Exemplars {
            dim: 0,
            bytes: Vec::new(),
            vectors: Vec::new(),
            checkpoints: Vec::new(),
            acts: Vec::new(),
            groups: Vec::new(),
            facts: Vec::new(),
        };
        for (case, v) in lines {
            bank.dim = v.len();
            let q = quantise(v);
            bank.vectors.extend(dequantise(&q));
            bank.bytes.extend(q);
            let mut bits = 0u64;
            for (k, c) in CHECKPOINTS.iter().enumerate() {
                if case.affirmed().any(|a| a == c.id) {
                    bits |= 1 << k;
                }
            }
            bank.checkpoints.push(bits);
            bank.acts.push(case.act.index() as u8);
            bank.groups.push(group_id(&case.group));
            // A built-in scenario's question that asks for none of its facts is kept as asking
            // for nothing there: what such questions sound like tells a fact from a near miss.
            let nothing = case.act == Act::Question
                && (crate::scenario::BUILTIN.iter()).any(|(id, _)| *id == case.scenario);
            let fact = match case.fact.as_deref() {
                Some(f) => fact_key(&case.scenario, f),
                None if nothing => fact_key(&case.scenario, ""),
                None => String::new(),
            };
            bank.facts.push(fact);
        }
        bank
    }

    /// The questions of the bank that ask for `key` (see `fact_key`), with their groups.
    pub fn asking_for<'a>(&'a self, key: &'a str) -> impl Iterator<Item = (u64, &'a [f32])> + 'a {
        (0..self.len())
            .filter(move |&i| self.facts[i] == key)
            .map(|i| {
                (
                    self.groups[i],
                    &self.vectors[i * self.dim..(i + 1) * self.dim],
                )
            })
    }

    /// How near `v` comes to the questions of the bank that a built-in scenario has no fact
    /// for, leaving out group `except`; -1 when there are none.
    pub fn nearest_unanswered(&self, v: &[f32], except: Option<u64>) -> f32 {
        (0..self.len())
            .filter(|&i| self.facts[i].ends_with('/') && Some(self.groups[i]) != except)
            .map(|i| super::embed::cosine(v, &self.vectors[i * self.dim..(i + 1) * self.dim]))
            .fold(-1.0, f32::max)
    }

    pub fn len(&self) -> usize {
        self.acts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.acts.is_empty()
    }

    /// The bank as `exemplars.bin` holds it: a magic line, the count and dimension, then per
    /// exemplar its group, checkpoint bits, act, fact key (a length byte, then UTF-8) and
    /// quantised vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend((self.len() as u32).to_le_bytes());
        out.extend((self.dim as u32).to_le_bytes());
        for i in 0..self.len() {
            out.extend(self.groups[i].to_le_bytes());
            out.extend(self.checkpoints[i].to_le_bytes());
            out.push(self.acts[i]);
            let key = self.facts[i].as_bytes();
            out.push(key.len().min(255) as u8);
            out.extend(&key[..key.len().min(255)]);
            let row = &self.bytes[i * self.dim..(i + 1) * self.dim];
            out.extend(row.iter().map(|&b| b as u8));
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Exemplars> {
        let Some(rest) = bytes.strip_prefix(MAGIC.as_slice()) else {
            bail!("the reader's exemplars are not in the format this casecoach reads");
        };
        let word = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(rest.get(at..at + 4)?.try_into().ok()?))
        };
        let (Some(n), Some(dim)) = (word(0), word(4)) else {
            bail!("the reader's exemplars are cut short");
        };
        let (n, dim) = (n as usize, dim as usize);
        let mut bank = Exemplars {
            dim,
            bytes: Vec::with_capacity(n * dim),
            vectors: Vec::with_capacity(n * dim),
            checkpoints: Vec::with_capacity(n),
            acts: Vec::with_capacity(n),
            groups: Vec::with_capacity(n),
            facts: Vec::with_capacity(n),
        };
        let mut at = 8;
        let cut = || anyhow::anyhow!("the reader's exemplars are cut short");
        for _ in 0..n {
            let head = rest.get(at..at + 18).ok_or_else(cut)?;
            bank.groups.push(u64::from_le_bytes(head[0..8].try_into()?));
            bank.checkpoints
                .push(u64::from_le_bytes(head[8..16].try_into()?));
            bank.acts.push(head[16]);
            let len = usize::from(head[17]);
            at += 18;
            let key = rest.get(at..at + len).ok_or_else(cut)?;
            bank.facts.push(String::from_utf8(key.to_vec())?);
            at += len;
            let row = rest.get(at..at + dim).ok_or_else(cut)?;
            let q: Vec<i8> = row.iter().map(|&b| b as i8).collect();
            bank.vectors.extend(dequantise(&q));
            bank.bytes.extend(q);
            at += dim;
        }
        if at != rest.len() {
            bail!(
                "the reader's exemplars have {} bytes past their {n} lines",
                rest.len() - at
            );
        }
        Ok(bank)
    }

    /// How near the nearest exemplar of any act came, read from what `features` returned.
    pub fn nearest(features: &[f32]) -> f32 {
        (features[FEATURES - Act::ALL.len()..].iter())
            .copied()
            .fold(f32::MIN, f32::max)
    }

    /// How near `v` comes to the exemplars of each checkpoint and act, leaving out the lines
    /// of group `except` (a training line's own group).
    pub fn features(&self, v: &[f32], except: Option<u64>) -> Vec<f32> {
        self.features_of(&[v], except).remove(0)
    }

    /// [`Exemplars::features`] of several vectors: the bank, larger than a core's cache, is
    /// read once for all of them.
    pub fn features_of(&self, vs: &[&[f32]], except: Option<u64>) -> Vec<Vec<f32>> {
        let scores = minilm::similarities(&self.vectors, vs);
        (scores.iter())
            .map(|s| self.features_from(s, except))
            .collect()
    }

    /// The features from `v`'s similarity to each exemplar, in the bank's order.
    fn features_from(&self, scores: &[f32], except: Option<u64>) -> Vec<f32> {
        let mut near: Vec<(f32, usize)> = Vec::with_capacity(self.len());
        let mut nearest_cp = [0f32; CHECKPOINTS.len()];
        let mut nearest_act = [0f32; Act::ALL.len()];
        for (i, &s) in scores.iter().enumerate() {
            if Some(self.groups[i]) == except {
                continue;
            }
            let mut bits = self.checkpoints[i];
            while bits != 0 {
                let best = &mut nearest_cp[bits.trailing_zeros() as usize];
                *best = best.max(s);
                bits &= bits - 1;
            }
            let a = &mut nearest_act[usize::from(self.acts[i]).min(Act::ALL.len() - 1)];
            *a = a.max(s);
            near.push((s, i));
        }
        let voters = VOTERS.min(near.len());
        if voters > 0 {
            near.select_nth_unstable_by(voters - 1, |a, b| b.0.total_cmp(&a.0));
        }
        let mut votes = [0f32; CHECKPOINTS.len()];
        for &(_, i) in &near[..voters] {
            for (k, vote) in votes.iter_mut().enumerate() {
                if self.checkpoints[i] & (1 << k) != 0 {
                    *vote += 1.0 / voters as f32;
                }
            }
        }
        let mut out = Vec::with_capacity(FEATURES);
        out.extend(nearest_cp);
        out.extend(votes);
        out.extend(nearest_act);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(group: &str, act: &str, checkpoint: Option<&str>) -> Case {
        let labels = checkpoint
            .map(|c| format!(r#"[{{"id":"{c}","polarity":"affirmed","depth":"named"}}]"#))
            .unwrap_or_else(|| "[]".into());
        let fact = if act == "question" {
            r#""labels""#
        } else {
            "null"
        };
        serde_json::from_str(&format!(
            r#"{{"id":"{group}","group":"{group}","scenario":"fraud","text":"t","style":"written","voice":"terse","act":"{act}","checkpoints":{labels},"fact":{fact}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn the_bank_knows_which_questions_ask_for_a_fact() {
        let q = case("g1", "question", Some("clarify.data-availability"));
        let p = case("g2", "proposal", Some("model.baseline"));
        let v = unit(&[0.0, 0.0, 1.0]);
        let bank = Exemplars::new([(&q, v.as_slice()), (&p, v.as_slice())]);
        let again = Exemplars::from_bytes(&bank.to_bytes()).unwrap();
        let asked: Vec<u64> = again
            .asking_for(&fact_key("fraud", "labels"))
            .map(|(g, _)| g)
            .collect();
        assert_eq!(asked, [group_id("g1")]);
        assert_eq!(again.asking_for(&fact_key("churn", "labels")).count(), 0);
    }

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn the_nearest_labelled_line_speaks_unless_it_is_of_the_same_group() {
        let a = case("g1", "proposal", Some("model.baseline"));
        let b = case("g2", "dismissal", None);
        let va = unit(&[1.0, 0.0, 0.0]);
        let vb = unit(&[0.0, 1.0, 0.0]);
        let bank = Exemplars::new([(&a, va.as_slice()), (&b, vb.as_slice())]);
        let k = CHECKPOINTS
            .iter()
            .position(|c| c.id == "model.baseline")
            .unwrap();
        let q = unit(&[0.9, 0.1, 0.0]);
        let f = bank.features(&q, None);
        assert!(f[k] > 0.98, "{}", f[k]);
        assert_eq!(f[CHECKPOINTS.len() + k], 0.5, "one of two voters shows it");
        let dismissal = 2 * CHECKPOINTS.len() + Act::Dismissal.index();
        assert!(f[dismissal] > 0.0 && f[dismissal] < 0.2);
        let without = bank.features(&q, Some(group_id("g1")));
        assert_eq!(without[k], 0.0);

        let again = Exemplars::from_bytes(&bank.to_bytes()).unwrap();
        assert_eq!(again.features(&q, None), f);
        assert!(Exemplars::from_bytes(b"nonsense").is_err());
        let mut cut = bank.to_bytes();
        cut.pop();
        assert!(Exemplars::from_bytes(&cut).is_err());
        let mut long = bank.to_bytes();
        long.push(0);
        assert!(Exemplars::from_bytes(&long).is_err());
    }
}
