//! Checks on the interviewer's behaviour, computed from a session's events: how much it talks,
//! whether it repeats itself, reveals facts nobody asked for or leaks model answers, when it
//! hints and redirects, whether stages keep time, and how coverage compares with what the
//! candidate meant to cover.

use crate::cue::{Tokens, word_count};
use crate::interview::coverage;
use crate::interview::{Action, Interview, Role};
use crate::scenario::Scenario;
use crate::session::Event;
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TurnNote {
    pub turn: usize,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageTime {
    pub stage: String,
    pub seconds: Option<f64>,
    pub budget_seconds: f64,
    /// Left within 1.5 times its budget (or never entered).
    pub on_time: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Quality {
    pub interviewer_lines: usize,
    pub interviewer_words_per_line: f64,
    pub interviewer_max_words: usize,
    /// Interviewer words divided by candidate words.
    pub talk_ratio: f64,
    pub repeated_questions: Vec<TurnNote>,
    pub facts_revealed_unasked: Vec<TurnNote>,
    pub model_answers_leaked: Vec<TurnNote>,
    pub hints: Vec<TurnNote>,
    pub redirects: Vec<usize>,
    pub stages: Vec<StageTime>,
    /// Of what the lexical judge credited, the share the candidate meant to cover.
    pub coverage_precision: Option<f64>,
    /// Of what the candidate meant to cover, the share the judge credited.
    pub coverage_recall: Option<f64>,
    pub missed_intended: Vec<String>,
}

/// Length of a word run shared with a model answer that counts as a leak.
const LEAK_WORDS: usize = 8;

fn shingles(text: &str, n: usize) -> HashSet<Vec<String>> {
    let words: Vec<String> = Tokens::new(text)
        .tokens
        .into_iter()
        .map(|t| t.stem)
        .collect();
    words.windows(n).map(|w| w.to_vec()).collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub fn check(
    scenario: &Scenario,
    events: &[Event],
    intended: &BTreeSet<usize>,
    iv: &Interview,
) -> Quality {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut candidate_words = 0usize;
    let mut seen: HashSet<&str> = HashSet::new();
    let mut repeated = Vec::new();
    let mut unasked = Vec::new();
    let mut hints = Vec::new();
    let mut redirects = Vec::new();
    let mut last_question_facts: Vec<usize> = Vec::new();
    let mut told_now: Vec<String> = Vec::new();
    let answers: Vec<(usize, HashSet<Vec<String>>)> = scenario
        .checkpoints
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.answer.as_ref().map(|a| (i, shingles(a, LEAK_WORDS))))
        .collect();
    let mut leaks = Vec::new();
    // Quoting the candidate back is not a leak, even when they recited a model answer.
    let mut candidate_said: HashSet<Vec<String>> = HashSet::new();
    for event in events {
        match event {
            Event::Turn {
                role: Role::Candidate,
                text,
                ..
            } => {
                candidate_words += word_count(text);
                candidate_said.extend(shingles(text, LEAK_WORDS));
                last_question_facts = coverage::analyse(scenario, text).facts;
            }
            Event::Action { action, .. } => match action {
                Action::AnswerFact { facts, .. } => told_now.extend(facts.iter().cloned()),
                Action::Hint { stage, level, .. } => hints.push(TurnNote {
                    turn: 0,
                    what: format!("{stage} level {level}"),
                }),
                Action::Redirect { .. } => redirects.push(0),
                _ => {}
            },
            Event::Turn {
                n,
                role: Role::Interviewer,
                text,
                ..
            } => {
                // Notes made from this turn's actions get its number now that it is known.
                for h in hints.iter_mut().filter(|h| h.turn == 0) {
                    h.turn = *n;
                }
                for r in redirects.iter_mut().filter(|r| **r == 0) {
                    *r = *n;
                }
                for id in told_now.drain(..) {
                    let asked = scenario
                        .facts
                        .iter()
                        .position(|f| f.id == id)
                        .is_some_and(|i| last_question_facts.contains(&i));
                    if !asked {
                        unasked.push(TurnNote { turn: *n, what: id });
                    }
                }
                if !seen.insert(text.as_str()) && text.contains('?') {
                    repeated.push(TurnNote {
                        turn: *n,
                        what: text.clone(),
                    });
                }
                let said = shingles(text, LEAK_WORDS);
                for (i, sh) in &answers {
                    if said.intersection(sh).any(|w| !candidate_said.contains(w)) {
                        leaks.push(TurnNote {
                            turn: *n,
                            what: scenario.checkpoints[*i].id.clone(),
                        });
                    }
                }
                lines.push((*n, text.as_str()));
            }
            _ => {}
        }
    }
    let words: Vec<usize> = lines.iter().map(|(_, t)| word_count(t)).collect();
    let total: usize = words.iter().sum();
    let stages = crate::framework::Stage::ALL
        .iter()
        .map(|&s| {
            let st = &iv.stats[s];
            let seconds = st.entered_at.map(|_| round2(st.seconds(iv.now)));
            let budget = iv.budget.stage(s);
            StageTime {
                stage: s.id().into(),
                seconds,
                budget_seconds: budget,
                on_time: seconds.is_none_or(|x| x <= budget * 1.5),
            }
        })
        .collect();
    let covered: BTreeSet<usize> = (0..scenario.checkpoints.len())
        .filter(|&i| iv.covered(i))
        .collect();
    let hit = covered.intersection(intended).count() as f64;
    // With no stated intent (a model playing the candidate), precision and recall mean nothing.
    let known = !intended.is_empty();
    Quality {
        interviewer_lines: lines.len(),
        interviewer_words_per_line: if lines.is_empty() {
            0.0
        } else {
            round2(total as f64 / lines.len() as f64)
        },
        interviewer_max_words: words.iter().copied().max().unwrap_or(0),
        talk_ratio: if candidate_words == 0 {
            0.0
        } else {
            round2(total as f64 / candidate_words as f64)
        },
        repeated_questions: repeated,
        facts_revealed_unasked: unasked,
        model_answers_leaked: leaks,
        hints,
        redirects,
        stages,
        coverage_precision: (known && !covered.is_empty())
            .then(|| round2(hit / covered.len() as f64)),
        coverage_recall: known.then(|| round2(hit / intended.len() as f64)),
        missed_intended: intended
            .difference(&covered)
            .map(|&i| scenario.checkpoints[i].id.clone())
            .collect(),
    }
}

/// The checks as a short text block for the terminal.
pub fn render(q: &Quality) -> String {
    let mut o = String::from("Interviewer quality\n");
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.0}%", v * 100.0));
    o += &format!(
        "  {} lines, {:.1} words a line (longest {}), talk ratio {:.2}\n",
        q.interviewer_lines, q.interviewer_words_per_line, q.interviewer_max_words, q.talk_ratio
    );
    let turns = |v: &[TurnNote]| {
        v.iter()
            .map(|t| format!("{} ({})", t.turn, t.what))
            .collect::<Vec<_>>()
            .join(", ")
    };
    o += &format!(
        "  repeated questions: {}\n",
        if q.repeated_questions.is_empty() {
            "none".into()
        } else {
            turns(&q.repeated_questions)
        }
    );
    o += &format!(
        "  facts revealed unasked: {}\n",
        if q.facts_revealed_unasked.is_empty() {
            "none".into()
        } else {
            turns(&q.facts_revealed_unasked)
        }
    );
    o += &format!(
        "  model answers leaked: {}\n",
        if q.model_answers_leaked.is_empty() {
            "none".into()
        } else {
            turns(&q.model_answers_leaked)
        }
    );
    o += &format!(
        "  hints: {}\n",
        if q.hints.is_empty() {
            "none".into()
        } else {
            turns(&q.hints)
        }
    );
    o += &format!("  redirects at turns: {:?}\n", q.redirects);
    let late: Vec<&str> = q
        .stages
        .iter()
        .filter(|s| !s.on_time)
        .map(|s| s.stage.as_str())
        .collect();
    o += &format!(
        "  stages over 1.5x budget: {}\n",
        if late.is_empty() {
            "none".into()
        } else {
            late.join(", ")
        }
    );
    o += &format!(
        "  coverage against intent: precision {}, recall {}{}\n",
        pct(q.coverage_precision),
        pct(q.coverage_recall),
        if q.missed_intended.is_empty() {
            String::new()
        } else {
            format!(" (missed: {})", q.missed_intended.join(", "))
        }
    );
    o
}
