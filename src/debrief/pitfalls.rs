//! Pitfalls: the mistakes an interviewer names in a debrief. Each is a small rule over what the
//! candidate said that either stays silent or gives a reason and the candidate's own words;
//! `RULES` lists them in the order the debrief reports them.

use super::{Quote, reached, stage_turns};
use crate::cue::{CueSet, Tokens, is_question, quote, sentences};
use crate::framework::{InterviewType, Pitfall, Stage};
use crate::interview::coverage::counted_words;
use crate::interview::grader::is_instruction;
use crate::interview::{Interview, Phase, Turn};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PitfallReport {
    pub id: Pitfall,
    pub title: String,
    pub why: String,
    pub evidence: Vec<Quote>,
}

/// Why a rule fired, with the candidate's words that show it.
struct Finding {
    why: String,
    evidence: Vec<Quote>,
}

/// A rule sees the interview and the candidate's turns, of which there is at least one.
type Rule = fn(&Interview, &[&Turn]) -> Option<Finding>;

const RULES: &[(Pitfall, Rule)] = &[
    (Pitfall::JumpedToSolution, jumped_to_solution),
    (Pitfall::IgnoredBusinessContext, ignored_business_context),
    (Pitfall::OverEngineering, over_engineering),
    (Pitfall::IgnoredDataIssues, ignored_data_issues),
    (Pitfall::IgnoredProduction, ignored_production),
    (Pitfall::PoorCommunication, poor_communication),
    (Pitfall::IgnoredTradeOffs, ignored_trade_offs),
    (Pitfall::NoQuestions, no_questions),
    (Pitfall::IgnoredFollowUps, ignored_follow_ups),
    (Pitfall::TechnicalError, technical_error),
];

/// Every pitfall the interview shows; none for a candidate who said nothing, since silence is
/// judged by the stage scores, not blamed here.
pub fn pitfalls(iv: &Interview) -> Vec<PitfallReport> {
    let cand: Vec<&Turn> = iv.candidate_turns().collect();
    if cand.is_empty() {
        return Vec::new();
    }
    RULES
        .iter()
        .filter_map(|&(id, rule)| {
            let found = rule(iv, &cand)?;
            Some(PitfallReport {
                id,
                title: id.title().into(),
                why: found.why,
                evidence: found.evidence,
            })
        })
        .collect()
}

/// A pitfall points at the candidate's own words, or is not named: a stage reached in the last
/// seconds, with nothing said in it, shows nothing to blame.
fn found(why: impl Into<String>, evidence: Vec<Quote>) -> Option<Finding> {
    (!evidence.is_empty()).then(|| Finding {
        why: why.into(),
        evidence,
    })
}

/// A model named before any clarifying coverage, or an interviewer who had to pull the candidate
/// back to the problem.
fn jumped_to_solution(iv: &Interview, _: &[&Turn]) -> Option<Finding> {
    let model_turn = first_turn_of(iv, Stage::Model)?;
    let clarify_turn = first_turn_of(iv, Stage::Clarify);
    if !(clarify_turn.is_none_or(|c| model_turn < c) || iv.redirects > 0) {
        return None;
    }
    let q = ["model.advanced", "model.baseline"]
        .iter()
        .filter_map(|id| first_evidence(iv, id))
        .min_by_key(|q| q.turn)
        .into_iter()
        .collect();
    found("proposed a model before asking about the problem", q)
}

fn ignored_business_context(iv: &Interview, cand: &[&Turn]) -> Option<Finding> {
    if covered_id(iv, "clarify.business-objective")
        || covered_id(iv, "evaluation.business-metrics")
        || cand.len() < 4
    {
        return None;
    }
    let ml_metrics = first_evidence(iv, "frame.ml-metrics")
        .or_else(|| first_evidence(iv, "evaluation.offline-metrics"));
    let why = if ml_metrics.is_some() {
        "talked about ML metrics but never about the business objective or business outcome"
    } else {
        "never asked about the business objective nor tied results to a business outcome"
    };
    let ev = ml_metrics
        .map(|q| vec![q])
        .unwrap_or_else(|| stage_quotes(iv, Stage::Evaluation, 1));
    found(why, ev)
}

/// Deep learning with neither a baseline nor a weighed trade-off; boosted trees alone are not it.
fn over_engineering(iv: &Interview, cand: &[&Turn]) -> Option<Finding> {
    if covered_id(iv, "model.baseline") || covered_id(iv, "model.trade-offs") {
        return None;
    }
    let deep = deep_model_cues();
    let mention = cand.iter().find_map(|t| {
        sentences(&t.text)
            .into_iter()
            .find(|r| deep.matches(&Tokens::new(&t.text[r.clone()])))
            .map(|r| Quote {
                turn: t.n,
                quote: quote(&t.text, r.clone(), r).to_string(),
            })
    })?;
    found(
        "proposed deep learning with no baseline and no trade-off to justify it",
        vec![mention],
    )
}

fn ignored_data_issues(iv: &Interview, _: &[&Turn]) -> Option<Finding> {
    let issues = [
        "data.quality",
        "data.labeling",
        "data.class-imbalance",
        "data.drift",
    ];
    let seen = issues.iter().filter(|id| covered_id(iv, id)).count();
    let waved = waved_away(iv, &issues);
    if seen > 1 || (!reached(iv, Stage::Data) && waved.is_empty()) {
        return None;
    }
    let why = format!("discussed {seen} of quality, labels, imbalance and drift");
    with_dismissals(why, waved, || stage_quotes(iv, Stage::Data, 2))
}

fn ignored_production(iv: &Interview, _: &[&Turn]) -> Option<Finding> {
    let production = [
        "deployment.latency",
        "deployment.scalability",
        "deployment.monitoring",
        "deployment.retraining",
    ];
    let seen = production.iter().filter(|id| covered_id(iv, id)).count();
    let waved = waved_away(iv, &production);
    if seen > 1 || (!reached(iv, Stage::Deployment) && waved.is_empty()) {
        return None;
    }
    let why = format!("discussed {seen} of latency, scale, monitoring and retraining");
    with_dismissals(why, waved, || stage_quotes(iv, Stage::Deployment, 2))
}

/// Answers too short to follow or, the other way to lose the listener, long answers that never
/// touch the question. One finding at most: terseness explains a debrief better than both.
fn poor_communication(iv: &Interview, cand: &[&Turn]) -> Option<Finding> {
    terse(cand).or_else(|| wandering(iv, cand))
}

fn terse(cand: &[&Turn]) -> Option<Finding> {
    let mut answers: Vec<(usize, &Turn)> = cand
        .iter()
        .filter(|t| !asks_question(&t.text))
        .map(|t| (counted_words(&t.text), *t))
        .collect();
    if answers.len() < 4 {
        return None;
    }
    answers.sort_by_key(|(w, t)| (*w, t.n));
    let median = answers[answers.len() / 2].0;
    if median >= 12 {
        return None;
    }
    found(
        format!("half the answers were under {} words", median + 1),
        answers.iter().take(2).map(|(_, t)| quote_turn(t)).collect(),
    )
}

fn wandering(iv: &Interview, cand: &[&Turn]) -> Option<Finding> {
    let evidenced: std::collections::HashSet<usize> = (iv.evidence.iter().flatten())
        .map(|e| e.turn)
        .chain(iv.on_topic.iter().copied())
        .collect();
    let wandering: Vec<&&Turn> = cand
        .iter()
        .filter(|t| counted_words(&t.text) >= 40 && !evidenced.contains(&t.n))
        .collect();
    if wandering.len() < 3 {
        return None;
    }
    found(
        format!(
            "{} long answers (40 words or more) touched none of the checklist",
            wandering.len()
        ),
        wandering.iter().take(2).map(|t| quote_turn(t)).collect(),
    )
}

/// Choices made with nothing weighed against them. The evidence is the sentences that chose
/// (the stage's credited checkpoints), not whatever else was said in the stage ("That's it.",
/// "I renamed the helper"); a candidate who chose nothing there is judged by the stage's score,
/// not blamed here.
fn ignored_trade_offs(iv: &Interview, _: &[&Turn]) -> Option<Finding> {
    if covered_id(iv, "model.trade-offs") || !reached(iv, Stage::Model) {
        return None;
    }
    let mut choices: Vec<Quote> = (iv.scenario.checkpoints.iter().zip(&iv.evidence))
        .filter(|(c, _)| c.stage == Stage::Model)
        .filter_map(|(_, e)| e.first())
        .map(|e| Quote {
            turn: e.turn,
            quote: e.quote.clone(),
        })
        .collect();
    if choices.is_empty() {
        return None;
    }
    choices.sort_by_key(|q| q.turn);
    let mut seen = Vec::new();
    choices.retain(|q| {
        let new = !seen.contains(&(q.turn, q.quote.clone()));
        seen.push((q.turn, q.quote.clone()));
        new
    });
    choices.truncate(2);
    let why = match iv.scenario.kind {
        InterviewType::CodingMl => "chose an approach without weighing an alternative",
        _ => "chose models without weighing alternatives, pros and cons",
    };
    found(why, choices)
}

fn no_questions(_: &Interview, cand: &[&Turn]) -> Option<Finding> {
    let asked = cand
        .iter()
        .any(|t| t.phase == Phase::Stage(Stage::Clarify) && asks_question(&t.text));
    if asked {
        return None;
    }
    let q = cand
        .first()
        .map(|t| vec![quote_turn(t)])
        .unwrap_or_default();
    found("asked no clarifying question before designing", q)
}

/// Most of the follow-ups the candidate replied to went untaken: they answered ahead, or
/// past the question. Quotes the replies that did not take them up.
fn ignored_follow_ups(iv: &Interview, _: &[&Turn]) -> Option<Finding> {
    let t = iv.follow_up_tally(None);
    if !ignored_many(t) {
        return None;
    }
    let missed: Vec<&crate::interview::FollowUp> = (iv.follow_ups.iter())
        .filter(|f| f.reply.is_some() && !f.answered)
        .collect();
    let evidence = missed
        .iter()
        .filter_map(|f| iv.turns.get(f.reply? - 1))
        .take(3)
        .map(quote_turn)
        .collect();
    found(
        format!(
            "{} of {} follow-up questions went unanswered",
            t.replied - t.answered,
            t.replied
        ),
        evidence,
    )
}

/// The rule for not listening: at least three follow-ups missed, and a third or more of those
/// replied to. A candidate who listens misses the odd one; one in three is a habit.
fn ignored_many(t: crate::interview::Tally) -> bool {
    let missed = t.replied - t.answered;
    missed >= 3 && 3 * missed >= t.replied
}

/// A misconception of the scenario's that the candidate stated and did not take back: held to
/// after the challenge, left unanswered, or never challenged (the interview moved on first).
fn technical_error(iv: &Interview, _: &[&Turn]) -> Option<Finding> {
    let open: Vec<&crate::interview::Misstep> =
        iv.missteps.iter().filter(|m| !m.corrected()).collect();
    if open.is_empty() {
        return None;
    }
    let what: Vec<String> = open
        .iter()
        .map(|m| {
            let title = &iv.scenario.misconceptions[m.misconception].title;
            format!("{title} ({})", outcome(m))
        })
        .collect();
    let mut evidence = Vec::new();
    for m in &open {
        evidence.push(Quote {
            turn: m.turn,
            quote: m.quote.clone(),
        });
        if let Some((turn, quote)) = &m.held {
            evidence.push(Quote {
                turn: *turn,
                quote: quote.clone(),
            });
        }
    }
    found(what.join("; "), evidence)
}

/// What came of a misconception, as the debrief says it.
pub fn outcome(m: &crate::interview::Misstep) -> &'static str {
    match (m.challenged, m.replied, &m.held) {
        (None, _, _) => "not challenged",
        (Some(_), _, Some(_)) => "held to it when challenged",
        (Some(_), false, None) => "challenged, not answered",
        (Some(_), true, None) => "corrected when challenged",
    }
}

// ---- what the rules look at ------------------------------------------------------------------

/// The candidate's own words waving away checkpoints among `ids` that they never went on to
/// cover.
fn waved_away(iv: &Interview, ids: &[&str]) -> Vec<Quote> {
    iv.dismissals
        .iter()
        .filter(|d| {
            let id = iv.scenario.checkpoints[d.checkpoint].id.as_str();
            ids.contains(&id) && !iv.covered(d.checkpoint)
        })
        .map(|d| Quote {
            turn: d.turn,
            quote: d.quote.clone(),
        })
        .collect()
}

/// A finding whose best evidence is a dismissal, when there is one; otherwise `fallback`'s.
fn with_dismissals(
    why: String,
    waved: Vec<Quote>,
    fallback: impl FnOnce() -> Vec<Quote>,
) -> Option<Finding> {
    if waved.is_empty() {
        found(why, fallback())
    } else {
        found(format!("{why}, and waved some away"), waved)
    }
}

/// Whether a turn asks the interviewer anything: one of its sentences is a question by the test
/// coverage uses, and, as there, a sentence addressed to the grader does not count.
fn asks_question(text: &str) -> bool {
    sentences(text).into_iter().any(|r| {
        let sentence = &text[r];
        let tokens = Tokens::new(sentence);
        !tokens.is_empty() && !is_instruction(sentence) && is_question(sentence, &tokens)
    })
}

/// The turn where the candidate first covered any checkpoint of a stage.
fn first_turn_of(iv: &Interview, stage: Stage) -> Option<usize> {
    iv.scenario
        .checkpoints
        .iter()
        .enumerate()
        .filter(|(_, c)| c.stage == stage)
        .filter_map(|(i, _)| iv.evidence[i].first().map(|e| e.turn))
        .min()
}

/// The candidate's own words from a turn, as a short verbatim quote.
fn quote_turn(t: &Turn) -> Quote {
    let text = t.text.as_str();
    let q = sentences(text)
        .into_iter()
        .next()
        .map(|r| quote(text, r.clone(), r).to_string())
        .unwrap_or_default();
    Quote {
        turn: t.n,
        quote: q,
    }
}

/// Covered, or not asked for by this round (a coding round has no business objective to miss).
fn covered_id(iv: &Interview, id: &str) -> bool {
    iv.scenario
        .checkpoint_index(id)
        .is_some_and(|i| iv.covered(i) || !iv.scenario.asks_for(i))
}

fn first_evidence(iv: &Interview, id: &str) -> Option<Quote> {
    let i = iv.scenario.checkpoint_index(id)?;
    iv.evidence[i].first().map(|e| Quote {
        turn: e.turn,
        quote: e.quote.clone(),
    })
}

fn stage_quotes(iv: &Interview, s: Stage, n: usize) -> Vec<Quote> {
    stage_turns(iv, s).take(n).map(quote_turn).collect()
}

fn deep_model_cues() -> &'static CueSet {
    static CUES: std::sync::OnceLock<CueSet> = std::sync::OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "neural net",
            "neural nets",
            "neural network*",
            "deep learning",
            "deep model",
            "deep network",
            "transformer*",
            "lstm",
            "rnn",
            "dnn",
            "gnn",
            "graph neural",
            "two tower",
            "autoencoder",
            "bert",
            "llm",
            "large language model",
        ])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debrief::tests::iv;

    #[test]
    fn pitfalls_cite_the_candidates_words() {
        let mut a = iv();
        crate::session::testing::observe(
            &mut a,
            "I would train a deep neural network on all the transactions.",
            10.0,
        );
        let p = pitfalls(&a);
        let ids: Vec<&str> = p.iter().map(|x| x.id.id()).collect();
        assert!(ids.contains(&"pitfall.jumped-to-solution"), "{ids:?}");
        assert!(ids.contains(&"pitfall.over-engineering"), "{ids:?}");
        assert!(ids.contains(&"pitfall.no-questions"), "{ids:?}");
        let jumped = p
            .iter()
            .find(|x| x.id == Pitfall::JumpedToSolution)
            .unwrap();
        assert_eq!(
            jumped.evidence,
            vec![Quote {
                turn: 1,
                quote: "I would train a deep neural network on all the transactions.".into()
            }]
        );
    }

    /// The interview reached the last stage as it ended, with nothing said there: no quote
    /// shows production left out, so it is not named.
    #[test]
    fn a_stage_reached_with_nothing_said_in_it_blames_nothing() {
        let mut a = iv();
        crate::session::testing::observe(
            &mut a,
            "I'd use gradient boosted trees on the amount.",
            10.0,
        );
        crate::session::testing::act(
            &mut a,
            &crate::interview::Action::AdvanceStage {
                from: Some(Stage::Clarify),
                to: Stage::Deployment,
                reason: crate::interview::Reason::Skip,
            },
            20.0,
        );
        let p = pitfalls(&a);
        assert!(p.iter().all(|x| !x.evidence.is_empty()), "{p:?}");
        assert!(
            p.iter().all(|x| x.id != Pitfall::IgnoredProduction),
            "{p:?}"
        );
    }

    /// Choosing with nothing weighed is shown by the sentence that chose, not by the small talk
    /// around it; with no choice made, there is nothing to have weighed.
    #[test]
    fn unweighed_choices_are_quoted_by_the_choice_and_no_choice_blames_nothing() {
        let enter_model = |a: &mut Interview| {
            crate::session::testing::act(
                a,
                &crate::interview::Action::AdvanceStage {
                    from: Some(Stage::Clarify),
                    to: Stage::Model,
                    reason: crate::interview::Reason::Skip,
                },
                10.0,
            )
        };
        let unweighed = |a: &Interview| {
            pitfalls(a)
                .into_iter()
                .find(|x| x.id == Pitfall::IgnoredTradeOffs)
        };
        let mut chose = iv();
        enter_model(&mut chose);
        crate::session::testing::observe(&mut chose, "Okay, that's it.", 20.0);
        crate::session::testing::observe(
            &mut chose,
            "As a baseline I'd fit a logistic regression on the amount and merchant.",
            30.0,
        );
        let found = unweighed(&chose).expect("a choice with nothing weighed");
        let quotes: Vec<&str> = found.evidence.iter().map(|q| q.quote.as_str()).collect();
        assert_eq!(
            quotes,
            ["As a baseline I'd fit a logistic regression on the amount and merchant."]
        );
        let mut idle = iv();
        enter_model(&mut idle);
        crate::session::testing::observe(&mut idle, "Okay, that's it.", 20.0);
        crate::session::testing::observe(&mut idle, "Let me think for a second.", 30.0);
        assert!(unweighed(&idle).is_none(), "{:?}", unweighed(&idle));
    }

    #[test]
    fn a_question_without_a_question_mark_is_still_a_question() {
        let text = "What is the business goal here. How do we measure success";
        let mut a = iv();
        crate::session::testing::observe(&mut a, text, 10.0);
        let p = pitfalls(&a);
        let ids: Vec<&str> = p.iter().map(|x| x.id.id()).collect();
        assert!(!ids.contains(&"pitfall.no-questions"), "{ids:?}");
        // Coverage, which decides what the interviewer answers, reads the same two questions.
        assert_eq!(
            crate::interview::coverage::analyse(&a.scenario, text).questions,
            2
        );
    }
}
