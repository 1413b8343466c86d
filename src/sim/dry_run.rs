//! `scenario dry-run`: a strong and a weak simulated candidate played through a scenario, and
//! the scenario's own words read back as a candidate would say them.

use super::{Persona, run, wording};
use crate::interview::Mode;
use crate::scenario::Scenario;
use anyhow::Result;
use serde::Serialize;
use std::sync::Arc;

/// One line of a dry run: whether it passed, and what it checked or found.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub ok: bool,
    pub what: String,
}

/// Run `strong` and `weak` on a scenario and check that it can be played and scored as meant.
/// The personas speak the scenario's cues, so the lexical reader is the check of those cues,
/// and the same on every machine.
pub fn dry_run(scenario: Arc<Scenario>) -> Result<Vec<Check>> {
    let play = |persona| {
        let reader = Arc::new(crate::reader::Lexical);
        run(
            scenario.clone(),
            persona,
            Mode::Interview,
            None,
            None,
            None,
            reader,
        )
    };
    let strong = play(Persona::Strong)?;
    let weak = play(Persona::Weak)?;
    let mut checks = Vec::new();
    let locked: Vec<&str> = scenario
        .facts
        .iter()
        .zip(&strong.interview.revealed)
        .filter(|(_, r)| !**r)
        .map(|(f, _)| f.id.as_str())
        .collect();
    checks.push(Check {
        ok: locked.is_empty(),
        what: if locked.is_empty() {
            format!(
                "all {} hidden facts can be unlocked by a question",
                scenario.facts.len()
            )
        } else {
            format!(
                "facts no question unlocked (check their cues): {}",
                locked.join(", ")
            )
        },
    });
    // Each model answer, said on its own, must earn its own checkpoint: otherwise the scenario's
    // cues and its answer key disagree, and a candidate who says the right thing is not credited.
    let deaf: Vec<&str> = scenario
        .checkpoints
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            c.answer.as_deref().is_some_and(|a| {
                !crate::interview::coverage::analyse(&scenario, a)
                    .hits
                    .iter()
                    .any(|h| h.checkpoint == *i)
            })
        })
        .map(|(_, c)| c.id.as_str())
        .collect();
    checks.push(Check {
        ok: deaf.is_empty(),
        what: if deaf.is_empty() {
            "every model answer covers its own checkpoint".to_string()
        } else {
            format!(
                "model answers that do not match their own checkpoint's cues: {}",
                deaf.join(", ")
            )
        },
    });
    let uncovered: Vec<&str> = scenario
        .checkpoints
        .iter()
        .enumerate()
        .filter(|(i, _)| scenario.asks_for(*i) && !strong.interview.covered(*i))
        .map(|(_, c)| c.id.as_str())
        .collect();
    checks.push(Check {
        ok: uncovered.is_empty(),
        what: if uncovered.is_empty() {
            format!(
                "the strong candidate covered all {} checkpoints in the interview",
                (0..scenario.checkpoints.len())
                    .filter(|&i| scenario.asks_for(i))
                    .count()
            )
        } else {
            format!(
                "checkpoints the strong candidate never covered in the interview: {}",
                uncovered.join(", ")
            )
        },
    });
    let s = &strong.report.overall.recommendation;
    checks.push(Check {
        ok: s == "hire" || s == "strong hire",
        what: format!("strong candidate ends '{s}' (expected hire or better)"),
    });
    let w = &weak.report.overall.recommendation;
    checks.push(Check {
        ok: w == "no hire",
        what: format!("weak candidate ends '{w}' (expected no hire)"),
    });
    Ok(checks)
}

/// How `reader` reads the scenario's own words, outside any interview: each model answer said
/// alone, and each fact asked for in plain words rather than by its cues ("Could you tell me
/// about the fraud rate?", and the author's `questions`). The personas of `dry_run` speak the
/// cues; this is how far a candidate who does not will get. Notes for the author, not failures:
/// a reader is a model, and some misses are its own.
pub fn read_back(scenario: &Scenario, reader: &dyn crate::reader::Reader) -> Result<Vec<String>> {
    let name = reader.name();
    let mut notes = Vec::new();
    let mut missed = Vec::new();
    let (mut answers, mut reworded, mut reworded_read) = (0, 0, 0);
    let shows = |text: &str, i: usize| -> Result<bool> {
        let reading = reader.analyse(scenario, text)?;
        Ok(reading.hits.iter().any(|h| h.checkpoint == i))
    };
    for (i, c) in scenario.checkpoints.iter().enumerate() {
        let Some(answer) = c.answer.as_deref().filter(|_| scenario.asks_for(i)) else {
            continue;
        };
        answers += 1;
        if !shows(answer, i)? {
            missed.push(c.id.as_str());
        }
        // The same answer in a candidate's own words, a few ways.
        for seed in 1..=REWORDINGS {
            let said = wording::Wording::new(seed).say(answer);
            if said != answer {
                reworded += 1;
                reworded_read += usize::from(shows(&said, i)?);
            }
        }
    }
    notes.push(format!(
        "the {name} reader reads {} of {answers} model answers as their own checkpoint{}; \
         {reworded_read} of {reworded} rewordings of them",
        answers - missed.len(),
        list(&missed)
    ));
    let mut lost = Vec::new();
    for (f, fact) in scenario.facts.iter().enumerate() {
        let plain = format!("Could you tell me about the {}?", fact.id.replace('-', " "));
        for q in std::iter::once(&plain).chain(&fact.questions) {
            if !reader.analyse(scenario, q)?.facts.contains(&f) {
                lost.push(format!("{} (\"{}\")", fact.id, crate::screen::safe(q)));
            }
        }
    }
    let asked = scenario.facts.len()
        + scenario
            .facts
            .iter()
            .map(|f| f.questions.len())
            .sum::<usize>();
    notes.push(format!(
        "the {name} reader answers {} of {asked} plain questions with the fact they ask for{}",
        asked - lost.len(),
        list(&lost)
    ));
    Ok(notes)
}

/// How many rewordings of each model answer `read_back` tries.
const REWORDINGS: u64 = 3;

/// How many misses a note names; an author fixes a few at a time, and a long list hides them.
const NAMED: usize = 8;

fn list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let named: Vec<&str> = items.iter().take(NAMED).map(|s| s.as_ref()).collect();
    let more = match items.len().saturating_sub(NAMED) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!("; not: {}{more}", named.join(", "))
}
