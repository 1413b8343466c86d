//! `casecoach eval`: how well a reader reads labelled sentences it was not trained on.

use super::Reader;
use super::corpus::{Act, Case, Scenarios, stage_of};
use crate::framework::Stage;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// How the reader's depth (named or explained) of its right credits agrees with the labels.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct DepthCounts {
    pub explained_right: usize,
    pub explained_wrong: usize,
    pub named_right: usize,
    pub named_wrong: usize,
}

impl DepthCounts {
    pub fn accuracy(&self) -> f64 {
        let right = self.explained_right + self.named_right;
        ratio(right, right + self.explained_wrong + self.named_wrong)
    }
}

#[derive(Debug, Default, Serialize)]
pub struct CoverageReport {
    pub reader: String,
    pub cases: usize,
    pub micro: Counts,
    pub stages: BTreeMap<String, Counts>,
    pub negatives: usize,
    pub negatives_credited: usize,
    /// Depth of the right credits: (said explained, labelled explained) counts.
    pub depth: DepthCounts,
    /// (what the label said, what the reader credited) and how often, worst first.
    pub confusions: Vec<(String, String, usize)>,
}

/// Coverage against the labels: every (sentence, checkpoint) pair is one decision.
pub fn coverage(cases: &[&Case], reader: &dyn Reader, sc: &Scenarios) -> Result<CoverageReport> {
    let mut r = CoverageReport {
        reader: reader.name(),
        cases: cases.len(),
        ..Default::default()
    };
    let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
    for case in cases {
        let scenario = sc.of(case);
        let a = reader.analyse(scenario, &case.text)?;
        let got: BTreeSet<String> = a
            .hits
            .iter()
            .map(|h| scenario.checkpoints[h.checkpoint].id.clone())
            .filter(|id| crate::framework::checkpoint(id).is_some())
            .collect();
        let want: BTreeSet<String> = case.affirmed().map(str::to_string).collect();
        if case.negative() {
            r.negatives += 1;
            r.negatives_credited += usize::from(!got.is_empty());
        }
        let mut count = |id: &str, f: &dyn Fn(&mut Counts)| {
            f(&mut r.micro);
            if let Some(s) = stage_of(id) {
                f(r.stages.entry(s.id().to_string()).or_default());
            }
        };
        for id in got.intersection(&want) {
            count(id, &|c| c.tp += 1);
        }
        for h in &a.hits {
            let id = &scenario.checkpoints[h.checkpoint].id;
            let Some(label) = case
                .checkpoints
                .iter()
                .find(|l| &l.id == id && l.polarity == super::corpus::Polarity::Affirmed)
            else {
                continue;
            };
            let explained = label.depth == super::corpus::Depth::Explained;
            let d = &mut r.depth;
            match (h.named, explained) {
                (false, true) => d.explained_right += 1,
                (false, false) => d.explained_wrong += 1,
                (true, false) => d.named_right += 1,
                (true, true) => d.named_wrong += 1,
            }
        }
        for id in got.difference(&want) {
            count(id, &|c| c.fp += 1);
            let label = want
                .iter()
                .next()
                .cloned()
                .unwrap_or_else(|| format!("none ({})", case.act.id()));
            *confusions.entry((label, id.clone())).or_default() += 1;
        }
        for id in want.difference(&got) {
            count(id, &|c| c.fn_ += 1);
            *confusions.entry((id.clone(), "missed".into())).or_default() += 1;
        }
    }
    let mut c: Vec<(String, String, usize)> = confusions
        .into_iter()
        .map(|((a, b), n)| (a, b, n))
        .collect();
    c.sort_by(|a, b| b.2.cmp(&a.2).then(a.cmp(b)));
    c.truncate(12);
    r.confusions = c;
    Ok(r)
}

pub fn render_coverage(r: &CoverageReport) -> String {
    let line = |name: &str, c: &Counts| {
        format!(
            "{name:<12} P {:.3}  R {:.3}  F1 {:.3}  (tp {} fp {} fn {})\n",
            c.precision(),
            c.recall(),
            c.f1(),
            c.tp,
            c.fp,
            c.fn_
        )
    };
    let mut o = format!("coverage, {} reader, {} sentences\n", r.reader, r.cases);
    o += &line("micro", &r.micro);
    for s in Stage::ALL {
        if let Some(c) = r.stages.get(s.id()) {
            o += &line(s.id(), c);
        }
    }
    o += &format!(
        "negatives falsely credited: {} of {} ({:.1}%)\nworst confusions (label -> credited):\n",
        r.negatives_credited,
        r.negatives,
        100.0 * ratio(r.negatives_credited, r.negatives)
    );
    for (a, b, n) in &r.confusions {
        o += &format!("  {n:>4}  {a} -> {b}\n");
    }
    let d = &r.depth;
    o += &format!(
        "depth of right credits: {:.1}% right (said explained: {} right, {} only named; said named: {} right, {} explained)\n",
        100.0 * d.accuracy(),
        d.explained_right,
        d.explained_wrong,
        d.named_right,
        d.named_wrong
    );
    o
}

#[derive(Debug, Default, Serialize)]
pub struct FactReport {
    pub reader: String,
    /// Questions whose scenario has the fact they ask for.
    pub with_fact: usize,
    pub right_fact: usize,
    pub wrong_fact: usize,
    /// ... answered "not pinned down" although the scenario has it.
    pub missed: usize,
    /// Questions the scenario has no fact for.
    pub without_fact: usize,
    /// ... given some fact anyway.
    pub false_fact: usize,
}

/// Fact lookup on the built-in scenarios' questions.
pub fn facts(cases: &[&Case], reader: &dyn Reader, sc: &Scenarios) -> Result<FactReport> {
    let mut r = FactReport {
        reader: reader.name(),
        ..Default::default()
    };
    for case in cases
        .iter()
        .filter(|c| c.act == Act::Question && sc.builtin(c))
    {
        let scenario = sc.of(case);
        let a = reader.analyse(scenario, &case.text)?;
        let got = a.facts.first().map(|&f| scenario.facts[f].id.as_str());
        match (case.fact.as_deref(), got) {
            (Some(want), Some(g)) if want == g => r.right_fact += 1,
            (Some(_), Some(_)) => r.wrong_fact += 1,
            (Some(_), None) => r.missed += 1,
            (None, Some(_)) => r.false_fact += 1,
            (None, None) => {}
        }
        if case.fact.is_some() {
            r.with_fact += 1;
        } else {
            r.without_fact += 1;
        }
    }
    Ok(r)
}

pub fn render_facts(r: &FactReport) -> String {
    format!(
        "facts, {} reader\nquestions with a fact: {}: right fact {} ({:.1}%), wrong fact {}, \"not pinned down\" {}\nquestions the scenario has no fact for: {}: given a fact anyway {} ({:.1}%)\n",
        r.reader,
        r.with_fact,
        r.right_fact,
        100.0 * ratio(r.right_fact, r.with_fact),
        r.wrong_fact,
        r.missed,
        r.without_fact,
        r.false_fact,
        100.0 * ratio(r.false_fact, r.without_fact)
    )
}

#[derive(Debug, Default, Serialize)]
pub struct ReplyReport {
    pub reader: String,
    pub pairs: usize,
    /// "Addresses the follow-up" as the positive class.
    pub counts: Counts,
    pub accuracy: f64,
    /// The reader's threshold, and the one that would do best on these very pairs (to choose
    /// a threshold on the tuning pairs, never on the held-out ones).
    pub threshold: f32,
    pub best_threshold: f32,
    pub best_accuracy: f64,
}

/// Whether replies to follow-ups are told apart from replies that ignore them.
pub fn replies(cases: &[&super::corpus::ReplyCase], reader: &dyn Reader) -> Result<ReplyReport> {
    // A reply that sidesteps the question is told so whatever its relatedness, as `addresses`
    // does; the threshold decides the rest.
    let mut scored = Vec::with_capacity(cases.len());
    for c in cases {
        let s = match crate::interview::requests::evades(&c.reply) {
            true => f32::NEG_INFINITY,
            false => reader.relatedness(&c.probe, &c.reply)?,
        };
        scored.push((s, c.addresses));
    }
    let right_at = |t: f32| scored.iter().filter(|(s, y)| (*s >= t) == *y).count();
    let t = reader.addresses_at();
    let mut counts = Counts::default();
    for &(s, y) in &scored {
        match (s >= t, y) {
            (true, true) => counts.tp += 1,
            (true, false) => counts.fp += 1,
            (false, true) => counts.fn_ += 1,
            _ => {}
        }
    }
    let (best_threshold, best) = (0..=100)
        .map(|i| i as f32 / 100.0)
        .map(|t| (t, right_at(t)))
        .fold((0.0, 0), |a, b| if b.1 > a.1 { b } else { a });
    Ok(ReplyReport {
        reader: reader.name(),
        pairs: cases.len(),
        counts,
        accuracy: ratio(right_at(t), cases.len()),
        threshold: t,
        best_threshold,
        best_accuracy: ratio(best, cases.len()),
    })
}

pub fn render_replies(r: &ReplyReport) -> String {
    let c = &r.counts;
    format!(
        "replies to follow-ups, {} reader, {} pairs
\
         at the reader's threshold {:.2}: accuracy {:.3}; 'addresses it' P {:.3} R {:.3} (tp {} fp {} fn {})\n\
         best threshold on these pairs: {:.2} (accuracy {:.3})\n",
        r.reader,
        r.pairs,
        r.threshold,
        r.accuracy,
        c.precision(),
        c.recall(),
        c.tp,
        c.fp,
        c.fn_,
        r.best_threshold,
        r.best_accuracy
    )
}

/// How the reading finds the scenarios' misconceptions.
#[derive(Debug, Default, Serialize)]
pub struct MisconceptionEval {
    pub reader: String,
    pub cases: usize,
    /// Each (sentence, misconception) decision on the labelled cases.
    pub counts: Counts,
    pub negatives: usize,
    pub negatives_flagged: usize,
    /// Sentences of the coverage corpus (none written as a mistake) that were flagged, as
    /// (case id, misconception): each needs a look, since a corpus line may really make one.
    pub corpus_lines: usize,
    pub corpus_flagged: Vec<(String, String)>,
    /// (case id, labelled, found) for every case read wrong.
    pub misses: Vec<(String, String, String)>,
}

pub fn misconceptions(
    cases: &[&super::corpus::MisconceptionCase],
    corpus: &[&Case],
    reader: &dyn Reader,
    sc: &Scenarios,
) -> Result<MisconceptionEval> {
    let mut r = MisconceptionEval {
        reader: reader.name(),
        cases: cases.len(),
        corpus_lines: corpus.len(),
        ..Default::default()
    };
    for c in cases {
        let scenario = sc
            .named(&c.scenario)
            .with_context(|| format!("'{}' is not a built-in scenario", c.scenario))?;
        let a = reader.analyse(scenario, &c.text)?;
        let found: BTreeSet<&str> = a
            .misconceptions
            .iter()
            .map(|m| scenario.misconceptions[m.misconception].id.as_str())
            .collect();
        let want = c.misconception.as_deref();
        for f in &found {
            if Some(*f) == want {
                r.counts.tp += 1;
            } else {
                r.counts.fp += 1;
            }
        }
        if let Some(w) = want
            && !found.contains(w)
        {
            r.counts.fn_ += 1;
        }
        if want.is_none() {
            r.negatives += 1;
            r.negatives_flagged += usize::from(!found.is_empty());
        }
        let got: Vec<&str> = found.iter().copied().collect();
        if got != want.into_iter().collect::<Vec<_>>() {
            r.misses.push((
                c.id.clone(),
                want.unwrap_or("none").to_string(),
                if got.is_empty() {
                    "none".into()
                } else {
                    got.join(", ")
                },
            ));
        }
    }
    for case in corpus {
        let scenario = sc.of(case);
        if scenario.misconceptions.is_empty() {
            continue;
        }
        let a = reader.analyse(scenario, &case.text)?;
        for m in &a.misconceptions {
            r.corpus_flagged.push((
                case.id.clone(),
                scenario.misconceptions[m.misconception].id.clone(),
            ));
        }
    }
    Ok(r)
}

pub fn render_misconceptions(r: &MisconceptionEval) -> String {
    let c = &r.counts;
    let mut o = format!(
        "misconceptions, {} reader, {} labelled sentences\n\
         found: P {:.3} R {:.3} F1 {:.3} (tp {} fp {} fn {})\n\
         sentences that state none, flagged: {} of {}\n\
         coverage-corpus lines of the built-in scenarios flagged: {} (of {} lines read)\n",
        r.reader,
        r.cases,
        c.precision(),
        c.recall(),
        c.f1(),
        c.tp,
        c.fp,
        c.fn_,
        r.negatives_flagged,
        r.negatives,
        r.corpus_flagged.len(),
        r.corpus_lines,
    );
    for (id, want, got) in &r.misses {
        o.push_str(&format!("  {id}: labelled {want}, found {got}\n"));
    }
    for (id, m) in &r.corpus_flagged {
        o.push_str(&format!("  corpus {id}: {m}\n"));
    }
    o
}
