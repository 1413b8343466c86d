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
    pub follow_ups: FollowUps,
    /// Spoken minutes used, and the session's minutes.
    pub minutes_used: f64,
    pub minutes: f64,
    /// Curveballs the interviewer fired.
    pub curveballs: usize,
    /// Acknowledgements ("Okay.", "Makes sense.") opening a line after a turn that showed
    /// nothing; the goal is none.
    pub acks_after_nothing: Vec<usize>,
    pub misconceptions: Misconceptions,
}

/// The scenario's misconceptions the candidate stated, and what the interviewer did about them.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Misconceptions {
    pub stated: usize,
    pub challenged: usize,
    pub corrected: usize,
    /// Stated by the candidate but never found by the reading (the persona knows what it said).
    pub missed: Vec<String>,
}

/// How the interviewer followed up, and how the candidate took it.
#[derive(Debug, Clone, Serialize, Default)]
pub struct FollowUps {
    pub asked: usize,
    /// Those the candidate replied to (the last may have gone unreplied).
    pub replied: usize,
    pub answered: usize,
    /// Those whose line quotes the candidate's own earlier words.
    pub quoting: usize,
    /// The interviewer lines of those replied to and not answered.
    pub missed: Vec<usize>,
    /// Follow-ups asked again because the reply ignored them.
    pub pressed: usize,
    /// The interviewer lines that asked a scenario probe for what the candidate had already
    /// explained; the goal is none.
    pub covered_ground: Vec<usize>,
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
    let talk = talk(events);
    let intent = against_intent(scenario, intended, iv);
    Quality {
        interviewer_lines: talk.lines,
        interviewer_words_per_line: talk.words_per_line,
        interviewer_max_words: talk.max_words,
        talk_ratio: talk.ratio,
        repeated_questions: repeated_questions(events),
        facts_revealed_unasked: facts_revealed_unasked(scenario, events),
        model_answers_leaked: model_answers_leaked(scenario, events),
        hints: hints(events),
        redirects: redirects(events),
        stages: stage_times(iv),
        coverage_precision: intent.precision,
        coverage_recall: intent.recall,
        missed_intended: intent.missed,
        follow_ups: follow_ups(iv, events),
        minutes_used: round2(iv.now / 60.0),
        minutes: round2(iv.budget.total / 60.0),
        curveballs: iv.curveballs_fired.iter().filter(|&&f| f).count(),
        acks_after_nothing: acks_after_nothing(scenario, events),
        misconceptions: Misconceptions::default(),
    }
}

impl Misconceptions {
    /// `said`: the misconceptions the candidate meant to state.
    pub fn of(iv: &Interview, said: &BTreeSet<usize>) -> Misconceptions {
        Misconceptions {
            stated: iv.missteps.len(),
            challenged: iv
                .missteps
                .iter()
                .filter(|m| m.challenged.is_some())
                .count(),
            corrected: iv.missteps.iter().filter(|m| m.corrected()).count(),
            missed: said
                .iter()
                .filter(|k| !iv.missteps.iter().any(|m| m.misconception == **k))
                .map(|k| iv.scenario.misconceptions[*k].id.clone())
                .collect(),
        }
    }
}

fn follow_ups(iv: &Interview, events: &[Event]) -> FollowUps {
    let t = iv.follow_up_tally(None);
    let quoting = iv
        .follow_ups
        .iter()
        .filter(|f| {
            iv.turns
                .get(f.asked - 1)
                .is_some_and(|line| quotes_the_candidate(iv, line))
        })
        .count();
    FollowUps {
        asked: t.asked,
        replied: t.replied,
        answered: t.answered,
        quoting,
        pressed: iv.follow_ups.iter().filter(|f| f.pressed).count(),
        missed: (iv.follow_ups.iter())
            .filter(|f| f.reply.is_some() && !f.answered)
            .map(|f| f.asked)
            .collect(),
        covered_ground: covered_ground(iv, events),
    }
}

/// The lines that asked a scenario probe whose ground the candidate had already explained when
/// it was asked, found by applying the events again and asking the interview of that moment.
fn covered_ground(iv: &Interview, events: &[Event]) -> Vec<usize> {
    let minutes = (iv.budget.total / 60.0).round() as u32;
    let mut then = Interview::new(iv.scenario.clone(), iv.mode, minutes);
    let mut out = Vec::new();
    for e in events {
        if let Event::Action {
            action:
                Action::Probe {
                    stage,
                    index,
                    curveball: false,
                    press: false,
                    ..
                },
            ..
        } = e
            && let Some(p) = iv.scenario.stage(*stage).probes.get(*index)
            && then.already_said(p.after, &p.names)
        {
            out.push(then.next_turn());
        }
        then.apply(e);
    }
    out
}

/// Whether an interviewer line quotes (in double quotes) words the candidate said before it.
fn quotes_the_candidate(iv: &Interview, line: &crate::interview::Turn) -> bool {
    let Some(quoted) = line.text.split('"').nth(1) else {
        return false;
    };
    let quoted = quoted.trim_end_matches("...").trim();
    !quoted.is_empty()
        && iv.turns[..line.n.saturating_sub(1)]
            .iter()
            .any(|t| t.role == Role::Candidate && t.text.contains(quoted))
}

/// Interviewer lines that open with an acknowledgement right after a candidate turn that earned
/// no credit.
fn acks_after_nothing(scenario: &Scenario, events: &[Event]) -> Vec<usize> {
    let mut credited_last = false;
    let mut out = Vec::new();
    for e in events {
        match e {
            Event::Turn {
                role: Role::Candidate,
                ..
            } => credited_last = false,
            Event::Coverage { .. } => credited_last = true,
            Event::Turn {
                n,
                role: Role::Interviewer,
                text,
                ..
            } => {
                let acked = scenario
                    .persona
                    .acknowledgements
                    .iter()
                    .any(|a| text.starts_with(a.as_str()));
                if acked && !credited_last {
                    out.push(*n);
                }
            }
            _ => {}
        }
    }
    out
}

fn interviewer_lines(events: &[Event]) -> impl Iterator<Item = (usize, &String)> {
    events.iter().filter_map(|event| match event {
        Event::Turn {
            n,
            role: Role::Interviewer,
            text,
            ..
        } => Some((*n, text)),
        _ => None,
    })
}

struct Talk {
    lines: usize,
    words_per_line: f64,
    max_words: usize,
    ratio: f64,
}

fn talk(events: &[Event]) -> Talk {
    let words: Vec<usize> = interviewer_lines(events)
        .map(|(_, t)| word_count(t))
        .collect();
    let candidate_words: usize = events
        .iter()
        .map(|event| match event {
            Event::Turn {
                role: Role::Candidate,
                text,
                ..
            } => word_count(text),
            _ => 0,
        })
        .sum();
    let total: usize = words.iter().sum();
    Talk {
        lines: words.len(),
        words_per_line: if words.is_empty() {
            0.0
        } else {
            round2(total as f64 / words.len() as f64)
        },
        max_words: words.iter().copied().max().unwrap_or(0),
        ratio: if candidate_words == 0 {
            0.0
        } else {
            round2(total as f64 / candidate_words as f64)
        },
    }
}

fn repeated_questions(events: &[Event]) -> Vec<TurnNote> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut repeated = Vec::new();
    for (n, text) in interviewer_lines(events) {
        if !seen.insert(text.as_str()) && text.contains('?') {
            repeated.push(TurnNote {
                turn: n,
                what: text.clone(),
            });
        }
    }
    repeated
}

/// A fact counts as asked for when the candidate's latest turn before the line that tells it
/// asks for it.
fn facts_revealed_unasked(scenario: &Scenario, events: &[Event]) -> Vec<TurnNote> {
    let mut unasked = Vec::new();
    let mut last_question_facts: Vec<usize> = Vec::new();
    let mut told_now: Vec<String> = Vec::new();
    for event in events {
        match event {
            Event::Turn {
                role: Role::Candidate,
                text,
                ..
            } => last_question_facts = coverage::analyse(scenario, text).facts,
            Event::Action {
                action: Action::AnswerFact { facts, .. },
                ..
            } => told_now.extend(facts.iter().cloned()),
            Event::Turn {
                n,
                role: Role::Interviewer,
                ..
            } => {
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
            }
            _ => {}
        }
    }
    unasked
}

fn model_answers_leaked(scenario: &Scenario, events: &[Event]) -> Vec<TurnNote> {
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
            } => candidate_said.extend(shingles(text, LEAK_WORDS)),
            Event::Turn {
                n,
                role: Role::Interviewer,
                text,
                ..
            } => {
                let said = shingles(text, LEAK_WORDS);
                for (i, sh) in &answers {
                    if said.intersection(sh).any(|w| !candidate_said.contains(w)) {
                        leaks.push(TurnNote {
                            turn: *n,
                            what: scenario.checkpoints[*i].id.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    leaks
}

fn hints(events: &[Event]) -> Vec<TurnNote> {
    at_next_line(events, |action| match action {
        Action::Hint { stage, level, .. } => Some(format!("{stage} level {level}")),
        _ => None,
    })
    .into_iter()
    .map(|(turn, what)| TurnNote { turn, what })
    .collect()
}

fn redirects(events: &[Event]) -> Vec<usize> {
    at_next_line(events, |action| {
        matches!(action, Action::Redirect { .. }).then_some(())
    })
    .into_iter()
    .map(|(turn, ())| turn)
    .collect()
}

/// What `pick` makes of each action, with the number of the interviewer line that carries it
/// out: a turn's actions are logged before its line, so they get its number once it comes (0
/// while none has).
fn at_next_line<T>(events: &[Event], pick: impl Fn(&Action) -> Option<T>) -> Vec<(usize, T)> {
    let mut notes: Vec<(usize, T)> = Vec::new();
    for event in events {
        match event {
            Event::Action { action, .. } => notes.extend(pick(action).map(|what| (0, what))),
            Event::Turn {
                n,
                role: Role::Interviewer,
                ..
            } => {
                for (turn, _) in notes.iter_mut().filter(|(turn, _)| *turn == 0) {
                    *turn = *n;
                }
            }
            _ => {}
        }
    }
    notes
}

fn stage_times(iv: &Interview) -> Vec<StageTime> {
    crate::framework::Stage::ALL
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
        .collect()
}

/// How the judge's coverage compares with what the candidate meant to cover.
struct Intent {
    precision: Option<f64>,
    recall: Option<f64>,
    missed: Vec<String>,
}

fn against_intent(scenario: &Scenario, intended: &BTreeSet<usize>, iv: &Interview) -> Intent {
    let covered: BTreeSet<usize> = (0..scenario.checkpoints.len())
        .filter(|&i| iv.covered(i))
        .collect();
    let hit = covered.intersection(intended).count() as f64;
    // With no stated intent (a model playing the candidate), precision and recall mean nothing.
    let known = !intended.is_empty();
    Intent {
        precision: (known && !covered.is_empty()).then(|| round2(hit / covered.len() as f64)),
        recall: known.then(|| round2(hit / intended.len() as f64)),
        missed: intended
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
    o += &format!(
        "  repeated questions: {}\n",
        notes_or_none(&q.repeated_questions)
    );
    o += &format!(
        "  facts revealed unasked: {}\n",
        notes_or_none(&q.facts_revealed_unasked)
    );
    o += &format!(
        "  model answers leaked: {}\n",
        notes_or_none(&q.model_answers_leaked)
    );
    o += &format!(
        "  probes asking for what was already explained: {}\n",
        if q.follow_ups.covered_ground.is_empty() {
            "none".to_string()
        } else {
            format!("lines {:?}", q.follow_ups.covered_ground)
        }
    );
    o += &format!("  hints: {}\n", notes_or_none(&q.hints));
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

fn notes_or_none(notes: &[TurnNote]) -> String {
    if notes.is_empty() {
        return "none".into();
    }
    notes
        .iter()
        .map(|t| format!("{} ({})", t.turn, t.what))
        .collect::<Vec<_>>()
        .join(", ")
}
