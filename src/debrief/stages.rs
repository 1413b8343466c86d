//! Stage scores: coverage of a stage's checkpoints, then probes, hints and time move it up or
//! down, with a reason for each move that cites its turns.

use super::{Basis, reached, stage_turns};
use crate::framework::Stage;
use crate::interview::Interview;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageReport {
    pub id: Stage,
    pub name: String,
    pub status: String,
    pub score: Option<u8>,
    pub covered: usize,
    /// Of the covered checkpoints, those only named (no reason, number or mechanism).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub named: usize,
    pub total: usize,
    pub coverage: f64,
    pub hints: usize,
    pub probes_asked: usize,
    pub probes_answered: usize,
    pub seconds: Option<f64>,
    pub budget_seconds: f64,
    pub reasons: Vec<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn at_turns(turns: &[usize]) -> String {
    match turns {
        [] => String::new(),
        [one] => format!(" (turn {one})"),
        many => format!(
            " (turns {})",
            many.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn minutes(secs: f64) -> String {
    format!("{:.1} min", secs / 60.0)
}

pub(super) fn stage_report(iv: &Interview, s: Stage, basis: Basis) -> StageReport {
    let st = &iv.stats[s];
    let tally = iv.follow_up_tally(Some(s));
    // The follow-ups the candidate had the chance to answer: the ones counted below.
    let probe_turns: Vec<usize> = (iv.follow_ups.iter())
        .filter(|f| f.stage == s && f.reply.is_some())
        .map(|f| f.asked)
        .collect();
    let idx: Vec<usize> = iv
        .scenario
        .checkpoints
        .iter()
        .enumerate()
        .filter(|(i, c)| c.stage == s && iv.scenario.asks_for(*i))
        .map(|(i, _)| i)
        .collect();
    let covered = idx.iter().filter(|&&i| iv.covered(i)).count();
    let named = idx.iter().filter(|&&i| iv.only_named(i)).count();
    let coverage = iv.stage_coverage(s);
    let turns = stage_turns(iv, s).count();
    // A transcript has no stages of its own, only what was said: any stage it covers is
    // scored, whichever turn the coverage fell in.
    let reached = reached(iv, s) || (basis == Basis::Transcript && covered > 0);
    let timed = basis == Basis::Session;
    let seconds = (timed && st.entered_at.is_some()).then(|| st.seconds(iv.now));
    let budget = iv.budget.stage(s);
    let mut r = StageReport {
        id: s,
        name: iv.scenario.stage_name(s).into(),
        status: "not assessed".into(),
        score: None,
        covered,
        named,
        total: idx.len(),
        coverage: (coverage * 100.0).round() / 100.0,
        hints: st.hints,
        probes_asked: tally.asked,
        probes_answered: tally.answered,
        seconds: seconds.map(|x| x.round()),
        budget_seconds: budget.round(),
        reasons: Vec::new(),
    };
    if !iv.scenario.in_round(s) {
        r.status = "not in this round".into();
        r.reasons
            .push("the scenario gives this stage no minutes, so it is not assessed".into());
        return r;
    }
    if !reached {
        r.status = "not reached".into();
        r.reasons.push("not reached in this interview".into());
        return r;
    }
    if st.skipped && covered == 0 {
        r.status = "skipped".into();
        r.reasons
            .push("skipped at the candidate's request before anything was shown".into());
        return r;
    }
    if turns == 0 && covered == 0 {
        r.reasons
            .push("the candidate said nothing while this stage was open".into());
        return r;
    }
    let evidence_turns: Vec<usize> = idx
        .iter()
        .filter_map(|&i| iv.evidence[i].first().map(|e| e.turn))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let cited = at_turns(&evidence_turns);
    let depth = match named {
        0 => String::new(),
        n if n == covered => " (all only named, with no reason, number or mechanism)".into(),
        n => format!(" ({n} only named, with no reason, number or mechanism)"),
    };
    r.reasons.push(format!(
        "covered {covered} of {} checkpoints{depth}, {:.0}% by weight{cited}",
        idx.len(),
        coverage * 100.0
    ));
    let mut score = coverage * 4.0;
    // Judged on the follow-ups the candidate had the chance to answer.
    if tally.replied > 0 {
        let ratio = tally.answered as f64 / tally.replied as f64;
        if ratio >= 1.0 {
            score += 0.5;
            let all = match tally.replied {
                1 => "the one follow-up probe".to_string(),
                n => format!("all {n} follow-up probes"),
            };
            r.reasons.push(format!(
                "answered {all} with substance{}",
                at_turns(&probe_turns)
            ));
        } else if ratio < 0.5 {
            score -= 0.5;
            r.reasons.push(format!(
                "answered {} of {} follow-up probes{}",
                tally.answered,
                tally.replied,
                at_turns(&probe_turns)
            ));
        }
    } else if covered == idx.len() && named == 0 {
        // The interviewer asks no follow-up for what was already explained, so a candidate who
        // explained the whole stage unprompted has shown what answering them would have.
        score += 0.5;
        r.reasons
            .push("explained every checkpoint before a follow-up was needed".into());
    }
    if st.hints > 0 {
        score -= (0.5 * st.hints as f64).min(1.5);
        r.reasons.push(format!(
            "needed {} hint{}{}",
            st.hints,
            if st.hints == 1 { "" } else { "s" },
            at_turns(&st.hint_turns)
        ));
    }
    if let Some(secs) = seconds
        && secs > budget * 1.5
    {
        score -= if secs >= budget * 2.0 { 1.0 } else { 0.5 };
        r.reasons.push(format!(
            "took {} against a budget of {}",
            minutes(secs),
            minutes(budget)
        ));
    }
    let score = if covered == 0 {
        0.0
    } else {
        score.clamp(0.0, 4.0).round()
    };
    r.score = Some(score as u8);
    r.status = "assessed".into();
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debrief::tests::{goto, iv};
    use crate::interview::Action;

    #[test]
    fn coverage_hints_and_probes_move_the_stage_score() {
        let mut a = iv();
        crate::session::testing::observe(
            &mut a,
            "What's the business goal? How do we measure success? Any latency constraints? What data do we have? How many transactions per second? Is the decision real time?",
            60.0,
        );
        let full = stage_report(&a, Stage::Clarify, Basis::Session);
        assert_eq!((full.score, full.covered), (Some(4), 6), "{full:?}");
        assert!(full.reasons[0].contains("(turn 1)"), "{:?}", full.reasons);

        let mut b = iv();
        crate::session::testing::observe(
            &mut b,
            "What's the business goal? How do we measure success? What data do we have?",
            60.0,
        );
        let partial = stage_report(&b, Stage::Clarify, Basis::Session)
            .score
            .unwrap();
        crate::session::testing::act(
            &mut b,
            &Action::Hint {
                stage: Stage::Clarify,
                level: 1,
                checkpoint: None,
                offered: false,
            },
            61.0,
        );
        crate::session::testing::act(
            &mut b,
            &Action::Hint {
                stage: Stage::Clarify,
                level: 2,
                checkpoint: None,
                offered: false,
            },
            62.0,
        );
        let hinted = stage_report(&b, Stage::Clarify, Basis::Session);
        assert!(hinted.score.unwrap() < partial, "{partial} vs {hinted:?}");
        assert!(
            hinted
                .reasons
                .iter()
                .any(|r| r == "needed 2 hints (turns 2, 2)"),
            "{:?}",
            hinted.reasons
        );
    }

    /// The turns a follow-up verdict cites are the follow-ups it counts: one asked as the
    /// stage ended, never replied to, is in neither.
    #[test]
    fn a_follow_up_never_replied_to_is_neither_counted_nor_cited() {
        let mut a = iv();
        goto(&mut a, Stage::Features, 60.0);
        let dive = |checkpoint: &str| Action::DeepDive {
            stage: Stage::Features,
            checkpoint: checkpoint.into(),
            angle: crate::interview::Angle::Mechanism,
            quote: "velocity counts".into(),
        };
        crate::session::testing::act(&mut a, &dive("features.derived"), 61.0);
        crate::session::testing::observe(
            &mut a,
            "Velocity counts over the last hour, because fraud comes in bursts on a stolen card.",
            90.0,
        );
        crate::session::testing::act(&mut a, &dive("features.raw"), 91.0);
        let r = stage_report(&a, Stage::Features, Basis::Session);
        let said = (r.reasons.iter())
            .find(|x| x.contains("follow-up"))
            .unwrap_or_else(|| panic!("{r:?}"));
        assert!(
            said.starts_with("answered the one follow-up probe"),
            "{said}"
        );
        assert!(said.ends_with("(turn 1)"), "{said}");
    }

    /// A stage explained in full before any follow-up scores as one whose follow-ups were all
    /// answered: the interviewer asks none for what was already explained.
    #[test]
    fn a_stage_explained_unprompted_is_not_scored_below_one_that_was_probed() {
        let mut a = iv();
        goto(&mut a, Stage::Features, 60.0);
        let text = "I'd use the amount, merchant category and device as raw fields, because \
                    all three are known when the payment is authorised. \
                    Velocity counts over the last hour, because fraud comes in bursts. \
                    Log-transform the amounts and target-encode the merchant id, since it has \
                    millions of values.";
        crate::session::testing::observe(&mut a, text, 120.0);
        let r = stage_report(&a, Stage::Features, Basis::Session);
        assert_eq!((r.covered, r.named, r.probes_asked), (3, 0, 0), "{r:?}");
        assert!(
            r.reasons
                .iter()
                .any(|x| x.starts_with("explained every checkpoint")),
            "{r:?}"
        );
        assert_eq!(r.score, Some(4), "{r:?}");
        // After two hints, the bonus is what keeps the stage at 4 (4 - 1 + 0.5): a candidate
        // who then explains everything is not scored as one who only covered it.
        let mut b = iv();
        goto(&mut b, Stage::Features, 60.0);
        crate::session::testing::request(&mut b, crate::interview::director::Request::Hint);
        crate::session::testing::request(&mut b, crate::interview::director::Request::Hint);
        crate::session::testing::observe(&mut b, text, 120.0);
        let r = stage_report(&b, Stage::Features, Basis::Session);
        assert_eq!((r.covered, r.named, r.hints), (3, 0, 2), "{r:?}");
        assert_eq!(r.score, Some(4), "{r:?}");
    }

    #[test]
    fn overtime_costs_a_point_only_when_time_is_known() {
        let mut a = iv();
        crate::session::testing::observe(
            &mut a,
            "What is the business goal and how do we measure success? What data do we have?",
            60.0,
        );
        goto(&mut a, Stage::Frame, 8.0 * 60.0 * 2.0);
        let timed = stage_report(&a, Stage::Clarify, Basis::Session);
        let untimed = stage_report(&a, Stage::Clarify, Basis::Transcript);
        assert_eq!(timed.score.unwrap() + 1, untimed.score.unwrap());
        assert!(timed.reasons.iter().any(|r| r.starts_with("took 16.0 min")));
        assert_eq!(untimed.seconds, None);
    }
}
