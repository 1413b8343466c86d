//! Which hidden fact a question asks for: the fact head's inputs for each (question, fact)
//! pair, and each scenario's facts embedded once.

use super::embed::{Embed, cosine, dot};
use super::exemplars::{self, Exemplars};
use super::projection::Projection;
use super::words::{self, Words};
use crate::scenario::Scenario;
use anyhow::Result;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The inputs of the fact head for each fact of a scenario, for one question: how near the
/// question comes to the fact's answer, its cues, and the questions known to ask for it (the
/// bank's, leaving out group `except`), whether a cue matches word for word, and by how much
/// each nearness beats the best other fact's: a question is about the fact it is nearest to,
/// more than about any fact it is merely near; and how near it comes to the known questions no
/// fact answers (`unanswered`, from `Exemplars::nearest_unanswered`), since a question on a
/// fact's topic that asks what the fact does not say sits near both; the fact's share of
/// the nearest known questions (`votes`); and how near the question comes to the fact's
/// prototype under the learned `projection`, by how much that beats the best other's, and the
/// fact's chance among them as the projection was trained to score it.
pub fn fact_rows(
    question: &[f32],
    question_words: &[f32],
    facts: &[FactVectors],
    cue_matches: &[bool],
    unanswered: f32,
    except: Option<u64>,
    projection: &Projection,
) -> Vec<Vec<f32>> {
    let best = |vs: &mut dyn Iterator<Item = f32>| vs.fold(-1.0f32, f32::max);
    // How near each known question comes, and which fact it asks for: measured once, for the
    // nearest of each fact's and for the vote.
    let known_questions: Vec<(f32, usize)> = (facts.iter().enumerate())
        .flat_map(|(i, f)| {
            (f.questions.iter())
                .filter(|(g, _)| Some(*g) != except)
                .map(move |(_, q)| (cosine(question, q), i))
        })
        .collect();
    let sims: Vec<[f32; 3]> = (facts.iter().enumerate())
        .map(|(i, f)| {
            let answer = cosine(question, &f.answer);
            let cue = best(&mut f.cues.iter().map(|c| cosine(question, c)));
            let asked = best(&mut (known_questions.iter()).filter(|k| k.1 == i).map(|k| k.0));
            [answer, cue, asked]
        })
        .collect();
    let known = sims.iter().any(|s| s[2] > -1.0);
    let margin = |i: usize, k: usize| {
        let column: Vec<f32> = sims.iter().map(|s| s[k]).collect();
        best_other(&column, i)
            .filter(|other| *other > -1.0)
            .map_or(0.0, |other| sims[i][k] - other)
    };
    // The words the question shares with the fact's answer and cues, weighted by rarity: a
    // plainly worded question often shares one telling word ("carousel", "cancel") with its
    // answer while embedding closer to another fact's.
    let overlap: Vec<f32> = facts
        .iter()
        .map(|f| dot(question_words, &f.words) / (words::WEIGHT * words::WEIGHT))
        .collect();
    let overlap_lead = |i: usize| overlap[i] - best_other(&overlap, i).map_or(0.0, |o| o.max(0.0));
    // The nearest known questions vote: one near copy of another fact's question can beat a
    // fact's best by a hair, while most of the questions near it ask for one fact.
    let votes = votes(known_questions, facts.len());
    let asked = projection.apply(question);
    let projected: Vec<f32> = facts
        .iter()
        .map(|f| dot(&asked, &projection.apply(&prototype(f, except))))
        .collect();
    let chances = Projection::chances(&projected);
    (0..facts.len())
        .map(|i| {
            let [answer, cue, asked] = sims[i];
            let asked = if known { asked.max(0.0) } else { 0.0 };
            vec![
                answer,
                cue,
                cue_matches.get(i).copied().unwrap_or(false) as u8 as f32,
                answer * cue,
                asked,
                known as u8 as f32,
                margin(i, 0),
                margin(i, 1),
                if known { margin(i, 2) } else { 0.0 },
                overlap[i],
                overlap_lead(i),
                unanswered.max(0.0),
                answer.max(cue).max(asked) - unanswered.max(0.0),
                votes[i],
                projected[i],
                projected[i] - best_other(&projected, i).unwrap_or(projected[i]),
                chances[i],
            ]
        })
        .collect()
}

/// The mean of a fact's embedded texts (its answer, its cues, and the questions known to ask
/// for it, but group `except`'s), normalised: what the fact is about, whichever way it is put.
pub fn prototype(f: &FactVectors, except: Option<u64>) -> Vec<f32> {
    let mut sum = f.answer.clone();
    let known = (f.questions.iter())
        .filter(|(g, _)| Some(*g) != except)
        .map(|(_, q)| q);
    for v in f.cues.iter().chain(known) {
        for (s, x) in sum.iter_mut().zip(v) {
            *s += x;
        }
    }
    let norm = dot(&sum, &sum).sqrt().max(1e-12);
    sum.iter().map(|s| s / norm).collect()
}

/// How many of the questions nearest a question, of all the known ones of the scenario's facts.
const VOTERS: usize = 7;

/// Each of `facts` facts' share of the `VOTERS` nearest of the known questions (their nearness,
/// and the fact each asks for); all zero when no question is known.
fn votes(mut near: Vec<(f32, usize)>, facts: usize) -> Vec<f32> {
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    near.truncate(VOTERS);
    let mut votes = vec![0.0; facts];
    for (_, i) in &near {
        votes[*i] += 1.0 / near.len() as f32;
    }
    votes
}

/// The group of a question the scenario's author wrote.
const AUTHORED: u64 = 0;

/// A fact's embedded texts, and the questions known to ask for it (the author's, and the
/// bank's), with their groups.
#[derive(Debug, Clone)]
pub struct FactVectors {
    pub answer: Vec<f32>,
    /// The answer's and cues' words (`Words::vector`).
    pub words: Vec<f32>,
    pub cues: Vec<Vec<f32>>,
    pub questions: Vec<(u64, Vec<f32>)>,
}

/// The embedded facts of each scenario, by its hash: facts are embedded once per scenario,
/// and shared with every turn rather than copied.
#[derive(Default)]
pub struct FactCache {
    words: Words,
    embedded: Mutex<HashMap<String, Arc<Vec<FactVectors>>>>,
}

impl FactCache {
    /// A cache whose facts' words are read with the heads' vocabulary.
    pub fn new(words: Words) -> FactCache {
        FactCache {
            words,
            embedded: Mutex::default(),
        }
    }

    /// A question's words, read with the same vocabulary.
    pub fn words_of(&self, question: &str) -> Vec<f32> {
        self.words.vector(question)
    }

    pub fn get(
        &self,
        scenario: &Scenario,
        embed: &dyn Embed,
        bank: &Exemplars,
    ) -> Result<Arc<Vec<FactVectors>>> {
        if let Some(v) = self.embedded.lock().unwrap().get(&scenario.hash) {
            return Ok(Arc::clone(v));
        }
        let mut out = Vec::new();
        for f in &scenario.facts {
            let mut texts = vec![f.answer.as_str()];
            texts.extend(f.cues.cues.iter().map(|c| c.text.as_str()));
            texts.extend(f.questions.iter().map(String::as_str));
            let mut v = embed.embed(&texts)?;
            let answer = v.remove(0);
            let authored = v.split_off(f.cues.cues.len());
            let key = exemplars::fact_key(&scenario.locator(), &f.id);
            // The author's questions belong to no corpus group, so no training line leaves
            // them out.
            let questions = authored
                .into_iter()
                .map(|q| (AUTHORED, q))
                .chain(bank.asking_for(&key).map(|(g, q)| (g, q.to_vec())))
                .collect();
            let mut said = f.answer.clone();
            for c in &f.cues.cues {
                said.push(' ');
                said.push_str(&c.text);
            }
            out.push(FactVectors {
                answer,
                words: self.words.vector(&said),
                cues: v,
                questions,
            });
        }
        let out = Arc::new(out);
        self.embedded
            .lock()
            .unwrap()
            .insert(scenario.hash.clone(), Arc::clone(&out));
        Ok(out)
    }
}

/// The largest value but the one at `i`; none when there is no other.
pub(super) fn best_other(v: &[f32], i: usize) -> Option<f32> {
    v.iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, x)| *x)
        .reduce(f32::max)
}
