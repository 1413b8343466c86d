//! `casecoach train`: the reader's heads from the corpus's training lines, deterministically.
//! The held-out lines are never read here. Thresholds are tuned on a fifth of the training lines
//! (chosen by another hash of the group), with heads trained on the other four fifths; the
//! heads that ship are then trained on all training lines.

use super::corpus::{self, Act, Case, Scenarios};
use super::embed::Embed;
use super::exemplars::{self, Exemplars};
use super::facts::{self, FactCache, FactVectors};
use super::heads::{self, Hidden, Linear, MlpTraining, Training};
use super::projection::{self, Choice, Projection};
use super::semantic::{self, Heads};
use super::words::Words;
use crate::framework::CHECKPOINTS;
use anyhow::Result;

/// One training line, embedded.
struct Example<'a> {
    case: &'a Case,
    vector: Vec<f32>,
    x: Vec<f32>,
}

/// The training lines embedded, the exemplar bank made of them, and each line's features, its
/// nearness measured without the lines of its own group.
fn examples<'a>(
    cases: &[&'a Case],
    embed: &dyn Embed,
    sc: &Scenarios,
    words: &Words,
) -> Result<(Vec<Example<'a>>, Exemplars)> {
    let mut vectors = Vec::with_capacity(cases.len());
    for chunk in cases.chunks(32) {
        let texts: Vec<&str> = chunk.iter().map(|c| c.text.as_str()).collect();
        vectors.extend(embed.embed(&texts)?);
    }
    let bank = Exemplars::new(cases.iter().copied().zip(vectors.iter().map(Vec::as_slice)));
    let out = cases
        .iter()
        .zip(vectors)
        .map(|(case, vector)| {
            let near = bank.features(&vector, Some(exemplars::group_id(&case.group)));
            let x = semantic::features(
                &vector,
                &near,
                &words.vector(&case.text),
                &semantic::cue_hits(sc.of(case), &case.text),
                &case.text,
            );
            Example { case, vector, x }
        })
        .collect();
    Ok((out, bank))
}

fn targets(ex: &[&Example]) -> Vec<Vec<bool>> {
    ex.iter()
        .map(|e| {
            CHECKPOINTS
                .iter()
                .map(|c| e.case.affirmed().any(|a| a == c.id))
                .collect()
        })
        .collect()
}

/// The checkpoint head: rectified units, and one output per checkpoint over them.
struct CheckpointHead {
    hidden: Hidden,
    out: Linear,
}

impl CheckpointHead {
    /// The head trained on `ex`. The units see the embedding scaled up by `EMBEDDING_EMPHASIS`.
    fn train(ex: &[&Example]) -> Result<CheckpointHead> {
        let xs: Vec<Vec<f32>> = ex.iter().map(|e| e.x.clone()).collect();
        let dim = ex.first().map_or(0, |e| e.vector.len());
        let emphasis: Vec<f32> = (0..xs.first().map_or(0, Vec::len))
            .map(|i| if i < dim { EMBEDDING_EMPHASIS } else { 1.0 })
            .collect();
        let (hidden, out) = heads::train_mlp(
            &xs,
            &targets(ex),
            CHECKPOINTS.len(),
            &emphasis,
            MlpTraining::default(),
        )?;
        Ok(CheckpointHead { hidden, out })
    }

    fn probabilities(&self, x: &[f32]) -> Vec<f32> {
        self.out.sigmoid(&self.hidden.apply(x))
    }
}

/// How much the embedding's inputs are scaled up for the hidden units: a unit-length vector of
/// 384 components is small beside the nearness and the words, and on the tuning lines the head
/// does best with it four times as large (micro F1 0.763, against 0.750 unscaled).
const EMBEDDING_EMPHASIS: f32 = 4.0;

/// The threshold that gives each checkpoint its best F1 on the tuning lines.
fn tune_thresholds(head: &CheckpointHead, tune: &[&Example]) -> Vec<f32> {
    let probs: Vec<Vec<f32>> = tune.iter().map(|e| head.probabilities(&e.x)).collect();
    let ys = targets(tune);
    (0..CHECKPOINTS.len())
        .map(|k| {
            let mut best = (0.5f32, -1.0f32);
            for step in 4..20 {
                let t = step as f32 * 0.05;
                let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
                for (p, y) in probs.iter().zip(&ys) {
                    match (p[k] >= t, y[k]) {
                        (true, true) => tp += 1.0,
                        (true, false) => fp += 1.0,
                        (false, true) => fn_ += 1.0,
                        _ => {}
                    }
                }
                // Precision counts a little more than recall: a false credit misleads.
                let f = if tp == 0.0 {
                    0.0
                } else {
                    1.25 * tp / (1.25 * tp + 0.25 * fn_ + fp)
                };
                if f > best.1 {
                    best = (t, f);
                }
            }
            best.0
        })
        .collect()
}

/// Micro F1 of a head's checkpoints at its thresholds, before the reader's rules: the figure
/// `train` reports for the tuning lines, so a change can be judged without the held-out ones.
fn tuning_f1(head: &CheckpointHead, thresholds: &[f32], tune: &[&Example]) -> f64 {
    let ys = targets(tune);
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (e, y) in tune.iter().zip(&ys) {
        for (k, p) in head.probabilities(&e.x).into_iter().enumerate() {
            match (p >= thresholds[k], y[k]) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
    }
    2.0 * tp as f64 / (2 * tp + fp + fn_).max(1) as f64
}

/// The fact head's rows for one training question, and which fact it asks for. Its own group's
/// questions are left out; for half the questions (by group) every known question is, so the
/// head also learns to answer for a scenario the bank knows nothing of, as an author's new one.
fn fact_question(
    e: &Example,
    sc: &Scenarios,
    embed: &dyn Embed,
    cache: &FactCache,
    bank: &Exemplars,
    projection: &Projection,
) -> Result<(Vec<Vec<f32>>, Vec<String>)> {
    let scenario = sc.of(e.case);
    let tokens = crate::cue::Tokens::new(&e.case.text);
    let group = exemplars::group_id(&e.case.group);
    let facts = known_facts(e, sc, embed, cache, bank)?;
    let cues: Vec<bool> = scenario
        .facts
        .iter()
        .map(|f| f.cues.matches(&tokens))
        .collect();
    let rows = facts::fact_rows(
        &e.vector,
        &cache.words_of(&e.case.text),
        &facts,
        &cues,
        bank.nearest_unanswered(&e.vector, Some(group)),
        Some(group),
        projection,
    );
    Ok((rows, scenario.facts.iter().map(|f| f.id.clone()).collect()))
}

/// A training question's scenario's facts as the question may know them: for half the
/// questions (by group) with no known questions at all.
fn known_facts(
    e: &Example,
    sc: &Scenarios,
    embed: &dyn Embed,
    cache: &FactCache,
    bank: &Exemplars,
) -> Result<Vec<FactVectors>> {
    let group = exemplars::group_id(&e.case.group);
    let mut facts = cache.get(sc.of(e.case), embed, bank)?.to_vec();
    if (group >> 8) & 1 == 0 {
        for f in &mut facts {
            f.questions.clear();
        }
    }
    Ok(facts)
}

/// The fact projection, trained on the questions with a fact: each chooses among its scenario's
/// facts' prototypes, its own group's questions left out of them.
fn train_fact_projection(
    ex: &[&Example],
    sc: &Scenarios,
    embed: &dyn Embed,
    cache: &FactCache,
    bank: &Exemplars,
) -> Result<Projection> {
    let mut choices = Vec::new();
    for e in fact_questions(ex, sc) {
        let scenario = sc.of(e.case);
        let Some(answer) =
            (scenario.facts.iter()).position(|f| e.case.fact.as_ref() == Some(&f.id))
        else {
            continue;
        };
        let group = exemplars::group_id(&e.case.group);
        let facts = known_facts(e, sc, embed, cache, bank)?;
        choices.push(Choice {
            query: e.vector.clone(),
            prototypes: facts
                .iter()
                .map(|f| facts::prototype(f, Some(group)))
                .collect(),
            answer,
        });
    }
    Ok(projection::train_projection(&choices, PROJECTION_TRAINING))
}

/// Which of two folds a training question falls in, by its group.
fn fold(e: &Example) -> usize {
    ((exemplars::group_id(&e.case.group) >> 9) & 1) as usize
}

/// Two projections, each trained on the other fold's questions: the fact head learns from
/// nearness under a projection that never saw the question, as every question it will meet.
fn crossed_projections(
    ex: &[&Example],
    sc: &Scenarios,
    embed: &dyn Embed,
    cache: &FactCache,
    bank: &Exemplars,
) -> Result<[Projection; 2]> {
    let other =
        |k: usize| -> Vec<&Example> { ex.iter().copied().filter(|e| fold(e) != k).collect() };
    Ok([
        train_fact_projection(&other(0), sc, embed, cache, bank)?,
        train_fact_projection(&other(1), sc, embed, cache, bank)?,
    ])
}

/// Chosen on the tuning lines: the projection alone ranked the right fact first for 79% of
/// their questions (65% with the identity); longer training or less decay did no better.
const PROJECTION_TRAINING: Training = Training {
    epochs: 60,
    rate: 0.005,
    l2: 0.01,
};

fn fact_questions<'a, 'b>(
    ex: &'b [&'a Example<'a>],
    sc: &'b Scenarios,
) -> impl Iterator<Item = &'b &'a Example<'a>> {
    ex.iter()
        .filter(|e| e.case.act == Act::Question && sc.builtin(e.case))
}

/// (question, fact) pairs of the built-in scenarios' questions, with whether they match.
fn fact_pairs<'p>(
    ex: &[&Example],
    sc: &Scenarios,
    embed: &dyn Embed,
    cache: &FactCache,
    bank: &Exemplars,
    projection: &dyn Fn(&Example) -> &'p Projection,
) -> Result<Vec<(Vec<f32>, bool)>> {
    let mut out = Vec::new();
    for e in fact_questions(ex, sc) {
        let (rows, ids) = fact_question(e, sc, embed, cache, bank, projection(e))?;
        for (x, id) in rows.into_iter().zip(ids) {
            out.push((x, e.case.fact.as_deref() == Some(id.as_str())));
        }
    }
    Ok(out)
}

fn train_fact(pairs: &[(Vec<f32>, bool)]) -> Linear {
    let xs: Vec<Vec<f32>> = pairs.iter().map(|p| p.0.clone()).collect();
    let ys: Vec<Vec<bool>> = pairs.iter().map(|p| vec![p.1]).collect();
    heads::train_multilabel(
        &xs,
        &ys,
        1,
        Training {
            epochs: 400,
            rate: 0.05,
            l2: 0.0,
        },
    )
}

/// The fact threshold, and the lead the best fact needs over the next, that answer the most
/// tuning questions right (the fact asked for, or none when the scenario lacks it). A wrong fact
/// misleads more than "not pinned down", so near ties are better declined.
fn tune_fact(
    head: &Linear,
    ex: &[&Example],
    sc: &Scenarios,
    embed: &dyn Embed,
    cache: &FactCache,
    bank: &Exemplars,
    projection: &Projection,
) -> Result<((f32, f32), FactFigures)> {
    let mut scored = Vec::new();
    for e in fact_questions(ex, sc) {
        let (rows, ids) = fact_question(e, sc, embed, cache, bank, projection)?;
        let mut ps: Vec<(f32, String)> = rows
            .iter()
            .zip(ids)
            .map(|(x, id)| (head.sigmoid(x)[0], id))
            .collect();
        ps.sort_by(|a, b| b.0.total_cmp(&a.0));
        let first = ps.first().cloned();
        let second = ps.get(1).map_or(0.0, |p| p.0);
        scored.push((first, second, e.case.fact.clone()));
    }
    // A right answer (a fact, or none) counts one; a wrong fact given costs half of one.
    let value = |t: f32, m: f32| {
        scored
            .iter()
            .map(|(first, second, gold)| match first {
                Some((p, id)) if *p >= t && p - second >= m => {
                    if Some(id) == gold.as_ref() {
                        2
                    } else {
                        -1
                    }
                }
                _ => 2 * i32::from(gold.is_none()),
            })
            .sum::<i32>()
    };
    let mut best = ((0.5f32, 0.0f32), i32::MIN);
    for step in 2..19 {
        let t = step as f32 * 0.05;
        for lead in 0..8 {
            let m = lead as f32 * 0.05;
            let r = value(t, m);
            if r > best.1 {
                best = ((t, m), r);
            }
        }
    }
    let ((t, m), _) = best;
    let answered = |(first, second, _): &&(Option<(f32, String)>, f32, Option<String>)| {
        first
            .as_ref()
            .is_some_and(|(p, _)| *p >= t && p - second >= m)
    };
    let (asking, lacking): (Vec<_>, Vec<_>) = scored.iter().partition(|s| s.2.is_some());
    let ranked_first = |s: &&&(Option<(f32, String)>, f32, Option<String>)| {
        s.0.as_ref().map(|f| &f.1) == s.2.as_ref()
    };
    let first = asking.iter().filter(ranked_first).count();
    let right = (asking.iter().filter(ranked_first))
        .filter(|s| answered(s))
        .count();
    let given_anyway = lacking.iter().filter(|s| answered(s)).count();
    Ok((
        (t, m),
        FactFigures {
            right: right as f64 / asking.len().max(1) as f64,
            first: first as f64 / asking.len().max(1) as f64,
            given_anyway: given_anyway as f64 / lacking.len().max(1) as f64,
        },
    ))
}

/// How the tuned fact head does on the tuning questions.
struct FactFigures {
    /// The share of the questions with a fact that find it.
    right: f64,
    /// ... whose best-scored fact is the one, sure enough or not.
    first: f64,
    /// The share of the questions the scenario has no fact for that are given one anyway.
    given_anyway: f64,
}

/// Train every head on the corpus's training lines; the heads, and the exemplar bank they read.
pub fn train(
    cases: &[Case],
    embed: &dyn Embed,
    progress: &mut dyn FnMut(&str),
) -> Result<(Heads, Exemplars)> {
    let sc = Scenarios::load()?;
    let train: Vec<&Case> = cases.iter().filter(|c| !c.held_out()).collect();
    progress(&format!("embedding {} training lines", train.len()));
    let words = Words::learn(train.iter().map(|c| c.text.as_str()));
    let (ex, bank) = examples(&train, embed, &sc, &words)?;
    let all: Vec<&Example> = ex.iter().collect();
    let tuning = |e: &&Example| corpus::held_out(&format!("tune:{}", e.case.group));
    let (tune, fit): (Vec<&Example>, Vec<&Example>) = all.iter().copied().partition(tuning);
    let xs = |v: &[&Example]| v.iter().map(|e| e.x.clone()).collect::<Vec<_>>();
    let t = Training::default();
    progress(&format!("tuning thresholds on {} of them", tune.len()));
    let first = CheckpointHead::train(&fit)?;
    let thresholds = tune_thresholds(&first, &tune);
    progress(&format!(
        "tuning lines: checkpoint micro F1 {:.3} (the heads alone, before the rules)",
        tuning_f1(&first, &thresholds, &tune)
    ));
    progress("training the checkpoint, act and depth heads");
    let checkpoints = CheckpointHead::train(&all)?;
    let acts: Vec<usize> = all.iter().map(|e| e.case.act.index()).collect();
    let act = heads::train_softmax(&xs(&all), &acts, Act::ALL.len(), t);
    let crediting: Vec<&Example> = all.iter().copied().filter(|e| !e.case.negative()).collect();
    let deep: Vec<Vec<bool>> = crediting
        .iter()
        .map(|e| {
            vec![e.case.checkpoints.iter().any(|l| {
                l.polarity == corpus::Polarity::Affirmed && l.depth == corpus::Depth::Explained
            })]
        })
        .collect();
    let explained = heads::train_multilabel(&xs(&crediting), &deep, 1, t);
    progress("training the fact head");
    let cache = FactCache::new(words.clone());
    let crossed = crossed_projections(&fit, &sc, embed, &cache, &bank)?;
    let projection = train_fact_projection(&fit, &sc, embed, &cache, &bank)?;
    let fact_first = train_fact(&fact_pairs(&fit, &sc, embed, &cache, &bank, &|e| {
        &crossed[fold(e)]
    })?);
    let ((fact_threshold, fact_margin), figures) =
        tune_fact(&fact_first, &tune, &sc, embed, &cache, &bank, &projection)?;
    progress(&format!(
        "tuning lines: {:.1}% of the questions with a fact find it ({:.1}% score it first); {:.1}% of those with none are given one",
        100.0 * figures.right,
        100.0 * figures.first,
        100.0 * figures.given_anyway
    ));
    let crossed = crossed_projections(&all, &sc, embed, &cache, &bank)?;
    let fact_projection = train_fact_projection(&all, &sc, embed, &cache, &bank)?;
    let fact = train_fact(&fact_pairs(&all, &sc, embed, &cache, &bank, &|e| {
        &crossed[fold(e)]
    })?);
    let heads = Heads {
        embedder: embed.name().to_string(),
        checkpoints: checkpoints.out,
        hidden: Some(checkpoints.hidden),
        thresholds,
        act,
        explained,
        fact,
        fact_projection,
        fact_threshold,
        fact_margin,
        exemplars: exemplars::checksum(&bank),
        words,
    };
    Ok((heads, bank))
}
