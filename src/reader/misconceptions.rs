//! Misconceptions found by meaning. A scenario's cues for a wrong move are written from a few
//! phrasings and catch those well, but a candidate says the same mistake in words nobody wrote
//! down. So a claim that comes near one of the misconception's examples states it too, when it
//! is nearer to them than to everything that says otherwise: the misconception's correction,
//! and the labelled corpus lines the reader was trained on (right moves, or none). Nearness does
//! not read word order or direction ("the previous month" and "the following month" sit
//! together), so a claim that close to a labelled line is left to the cues.
//!
//! A misconception that is a number out of range (`Misconception::estimate`) is left to its
//! cues: nearness cannot tell 20 from 20,000.

use super::embed::{Embed, cosine};
use crate::cue::Tokens;
use crate::scenario::Scenario;
use anyhow::Result;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How near a claim must come to one of the examples. Chosen on the tuning half of
/// `corpus/misconceptions` with the cues left out, for few wrong challenges: at 0.65 nearness
/// alone found 31 of the 78 mistakes and flagged 1 of 550 other pairs and none of 3,229 corpus
/// lines; at 0.60, 34, 3 and 2. With eight or nine examples a misconception (from three), on the
/// same tuning lines with the cues, 0.60 found one mistake more than 0.65 and flagged one more
/// corpus line.
const NEAR: f32 = 0.65;
/// How much nearer to the examples than to the correction and to the nearest labelled line.
const MARGIN: f32 = 0.05;

/// A misconception's examples and its correction, embedded.
#[derive(Debug)]
struct Vectors {
    examples: Vec<Vec<f32>>,
    correction: Vec<f32>,
}

/// The embedded misconceptions of each scenario, by its hash: embedded once per scenario.
#[derive(Default)]
pub struct MisconceptionCache {
    embedded: Mutex<HashMap<String, Arc<Vec<Option<Vectors>>>>>,
}

impl MisconceptionCache {
    /// Shared, not copied: every claim sentence of every turn asks for them.
    fn get(&self, scenario: &Scenario, embed: &dyn Embed) -> Result<Arc<Vec<Option<Vectors>>>> {
        if let Some(v) = self.embedded.lock().unwrap().get(&scenario.hash) {
            return Ok(v.clone());
        }
        let mut out = Vec::new();
        for m in &scenario.misconceptions {
            if m.estimate.is_some() || m.examples.is_empty() {
                out.push(None);
                continue;
            }
            let mut texts: Vec<&str> = m.examples.iter().map(String::as_str).collect();
            texts.push(&m.correction);
            let mut v = embed.embed(&texts)?;
            let correction = v.pop().unwrap_or_default();
            out.push(Some(Vectors {
                examples: v,
                correction,
            }));
        }
        let out = Arc::new(out);
        self.embedded
            .lock()
            .unwrap()
            .insert(scenario.hash.clone(), out.clone());
        Ok(out)
    }

    /// The misconception a claim (embedded as `v`, `line` near its nearest labelled corpus
    /// line) states by meaning, as an index into `Scenario::misconceptions`. The caller has read
    /// the sentence as a claim. Nearness does not see a negation ("ROC AUC is not enough here"
    /// sits near "ROC AUC is enough"), so any sign that the speaker knows better holds back
    /// (`Misconception::known_better`).
    pub fn stated(
        &self,
        scenario: &Scenario,
        embed: &dyn Embed,
        v: &[f32],
        line: f32,
        tokens: &Tokens,
    ) -> Result<Option<usize>> {
        if scenario.misconceptions.is_empty() {
            return Ok(None);
        }
        let all = self.get(scenario, embed)?;
        // A sentence near the examples of two mistakes states the nearer: the examples of
        // neighbouring mistakes (sorting the input, cutting by position) share their words.
        let mut best: Option<(usize, f32)> = None;
        for (i, (m, vectors)) in scenario.misconceptions.iter().zip(all.iter()).enumerate() {
            let Some(vectors) = vectors else { continue };
            if m.known_better(tokens) {
                continue;
            }
            let near = (vectors.examples.iter())
                .map(|e| cosine(v, e))
                .fold(f32::MIN, f32::max);
            let otherwise = cosine(v, &vectors.correction).max(line);
            if near >= NEAR && near - otherwise >= MARGIN && best.is_none_or(|(_, b)| near > b) {
                best = Some((i, near));
            }
        }
        Ok(best.map(|(i, _)| i))
    }
}
