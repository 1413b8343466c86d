//! The words of a sentence as features beside its embedding. A mean-pooled embedding of a long,
//! run-on sentence blurs the one phrase that carries it ("a checkpoint every few hundred
//! rounds"), and a word the embedding model never learned as jargon ("mcc", "ndcg") moves it
//! little; the stems themselves keep both. The vocabulary is the training lines' stems, each
//! weighted by how rare it is among them (idf), so common words weigh little.

use crate::cue::Tokens;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How much the word features weigh against the unit-length embedding: measured on the tuning
/// lines, the heads do best when the words count about twice as much.
pub const WEIGHT: f32 = 2.0;

/// A stem must occur in this many training lines to be in the vocabulary: a stem seen once
/// teaches a head only that one line.
const MIN_LINES: usize = 2;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Words {
    /// Stems in sorted order; a feature's index is its stem's place here.
    pub stems: Vec<String>,
    pub idf: Vec<f32>,
}

impl Words {
    /// The vocabulary of a set of lines, with smoothed idf: `ln((1 + n) / (1 + df)) + 1`.
    pub fn learn<'a>(lines: impl IntoIterator<Item = &'a str>) -> Words {
        let mut df: BTreeMap<String, usize> = BTreeMap::new();
        let mut n = 0usize;
        for line in lines {
            n += 1;
            for stem in distinct(line) {
                *df.entry(stem).or_default() += 1;
            }
        }
        let kept: Vec<(String, usize)> = df.into_iter().filter(|(_, d)| *d >= MIN_LINES).collect();
        Words {
            idf: kept
                .iter()
                .map(|(_, d)| ((1.0 + n as f32) / (1.0 + *d as f32)).ln() + 1.0)
                .collect(),
            stems: kept.into_iter().map(|(s, _)| s).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.stems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stems.is_empty()
    }

    /// The sentence's known stems, idf-weighted and scaled to length `WEIGHT`; all zeros when it
    /// has none.
    pub fn vector(&self, sentence: &str) -> Vec<f32> {
        let mut v = vec![0.0; self.stems.len()];
        for stem in distinct(sentence) {
            if let Ok(i) = self.stems.binary_search(&stem) {
                v[i] = self.idf[i];
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x *= WEIGHT / norm);
        }
        v
    }
}

/// A sentence's stems, each once.
fn distinct(sentence: &str) -> BTreeSet<String> {
    Tokens::new(sentence)
        .tokens
        .into_iter()
        .map(|t| t.stem.replace('\'', ""))
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_stems_weigh_more_and_unseen_ones_are_left_out() {
        let words = Words::learn([
            "the model drifts",
            "the labels drift",
            "the model is fine",
            "the weather",
        ]);
        // "weather" is seen once, so it is not in the vocabulary.
        assert!(words.stems.binary_search(&"weather".to_string()).is_err());
        let v = words.vector("the model drifted");
        let at = |s: &str| v[words.stems.binary_search(&s.to_string()).unwrap()];
        assert!(at("drift") > at("the"), "{v:?}");
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - WEIGHT).abs() < 1e-5);
        assert!(words.vector("nothing known here").iter().all(|x| *x == 0.0));
    }
}
