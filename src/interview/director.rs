//! The director: a pure policy from the interview state and the latest turn to what the
//! interviewer does next. It never changes state; `Interview::apply` does.

use super::{Action, Interview, Mode, Observation, Phase, Reason};
use crate::framework::Stage;

/// What the candidate can ask of the interview itself (the slash commands that change state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Hint,
    Skip,
    End,
}

/// Stage coverage at which the interviewer is happy to move on.
const STAGE_DONE: f64 = 0.75;
/// How long past its budget a stage may run before the interviewer moves on regardless.
const OVERRUN: f64 = 1.0;

/// A rule either decides the whole reply to this turn in `stage` or passes to the next one.
type Rule = fn(&Interview, &Observation, Stage) -> Option<Vec<Action>>;

/// The rules in priority order, the first to decide winning. The order is the policy: a turn of
/// only questions is answered even when it jumps ahead, a wrong move is challenged before
/// anything else (a question asked with it is answered first), a stuck candidate is helped before the
/// clock moves them on, a candidate who moves ahead or opens new ground is followed before an
/// ignored follow-up is pressed, and a stage is left on coverage only once no follow-up is due.
const RULES: &[Rule] = &[
    answer_only_questions,
    push_back_on_a_misconception,
    close_when_the_candidate_is_done,
    redirect_a_jump_to_the_model,
    answer_a_question_in_a_statement,
    help_when_stuck,
    keep_time,
    follow_ahead,
    follow_up_what_was_just_covered,
    press_an_ignored_follow_up,
    exhaust_the_focus_stage,
    go_deeper_while_time_allows,
    move_on_when_covered,
    ask_an_open_probe,
    nudge_a_thin_stage,
];

pub fn decide(iv: &Interview, obs: &Observation) -> Vec<Action> {
    let stage = match iv.phase {
        Phase::Stage(s) => s,
        Phase::WrapUp => return wrap_up(iv, obs),
        Phase::NotStarted | Phase::Ended => return Vec::new(),
    };
    RULES
        .iter()
        .find_map(|rule| rule(iv, obs, stage))
        // Nothing left to ask and no nudge due.
        .unwrap_or_else(|| vec![advance(stage, Reason::Coverage)])
}

/// The close: the candidate's questions are answered (a fact not yet told, or what the
/// interviewer can say about the team, the role and next steps), and the interview ends at the
/// first turn that asks nothing more, or after the second answer.
fn wrap_up(iv: &Interview, obs: &Observation) -> Vec<Action> {
    let asks = obs.analysis.questions > 0;
    if asks && iv.closing_answers < 2 {
        let fresh = obs.analysis.facts.iter().any(|&f| !iv.revealed[f]);
        return vec![if fresh {
            answer(iv, obs)
        } else {
            Action::AnswerAbout
        }];
    }
    vec![Action::Debrief {
        reason: Reason::Finished,
    }]
}

fn answer_then_keep_time(iv: &Interview, obs: &Observation, stage: Stage) -> Vec<Action> {
    let mut out = vec![answer(iv, obs)];
    out.extend(on_time(iv, stage));
    out
}

fn answer_only_questions(iv: &Interview, obs: &Observation, stage: Stage) -> Option<Vec<Action>> {
    let a = &obs.analysis;
    (a.questions > 0 && a.statements == 0).then(|| answer_then_keep_time(iv, obs, stage))
}

/// A candidate who says they have finished, or sums up the whole design in the last stage, is
/// taken to the close (a question asked with it answered first), not held to the clock.
fn close_when_the_candidate_is_done(
    iv: &Interview,
    obs: &Observation,
    stage: Stage,
) -> Option<Vec<Action>> {
    let said = iv.turns.last().filter(|t| t.n == obs.turn)?;
    let summary = stage.next().is_none() && super::coverage::is_summary(&said.text);
    if !(super::coverage::is_closing(&said.text) || summary) {
        return None;
    }
    let mut out = Vec::new();
    // A question at the close that no hidden fact answers is about the team or the role.
    if obs.analysis.questions > 0 {
        out.push(if obs.analysis.facts.is_empty() {
            Action::AnswerAbout
        } else {
            answer(iv, obs)
        });
    }
    out.push(Action::WrapUp {
        reason: Reason::Candidate,
    });
    Some(out)
}

/// A misconception stated in this turn and never challenged gets one challenge, quoting the
/// words that made it. A candidate who repeats it after the challenge is not argued with; the
/// debrief says they held to it.
fn push_back_on_a_misconception(
    iv: &Interview,
    obs: &Observation,
    _: Stage,
) -> Option<Vec<Action>> {
    let stated = obs.analysis.misconceptions.iter().find(|s| {
        iv.missteps
            .iter()
            .any(|m| m.misconception == s.misconception && m.challenged.is_none())
    })?;
    let m = &iv.scenario.misconceptions[stated.misconception];
    let tokens = crate::cue::Tokens::new(&stated.quote);
    let quote = match m.cues.find(&tokens) {
        // A short sentence is quoted whole: cut, it loses its point ("a random 80").
        _ if crate::cue::word_count(&stated.quote) <= QUOTE_WORDS + 2 => {
            clip(&stated.quote, QUOTE_WORDS + 2)
        }
        Some((words, _)) => {
            let focus =
                tokens.tokens[words.start].span.start..tokens.tokens[words.end - 1].span.end;
            let ex = crate::cue::excerpt(&stated.quote, focus.clone(), 4);
            // Start at the clause the mistake is in, not mid-phrase ("days, and I'd ...").
            let from = ex.as_ptr() as usize - stated.quote.as_ptr() as usize;
            let lead = &stated.quote[from..focus.start.max(from)];
            match lead.rfind([',', ';', ':']) {
                Some(cut) => ex[cut + 1..].trim_start().to_string(),
                None => ex.to_string(),
            }
        }
        None => stated.quote.clone(),
    };
    let mut out = Vec::new();
    if obs.analysis.questions > 0 {
        out.push(answer(iv, obs));
    }
    out.push(Action::PushBack {
        misconception: m.id.clone(),
        quote,
    });
    Some(out)
}

fn redirect_a_jump_to_the_model(
    iv: &Interview,
    obs: &Observation,
    stage: Stage,
) -> Option<Vec<Action>> {
    if !(stage == Stage::Clarify && iv.redirects < 2 && jumped_ahead(iv, obs)) {
        return None;
    }
    // Quote back the few words where the model came up, not the whole speech.
    let quote = obs
        .analysis
        .hits
        .iter()
        .find(|h| iv.scenario.checkpoints[h.checkpoint].stage == Stage::Model)
        .map(|h| crate::cue::excerpt(&h.quote, h.focus.clone(), 4).to_string())
        .unwrap_or_default();
    Some(vec![Action::Redirect { quote }])
}

/// A statement with a question in it: answer, and let the answer be the whole line.
fn answer_a_question_in_a_statement(
    iv: &Interview,
    obs: &Observation,
    stage: Stage,
) -> Option<Vec<Action>> {
    (obs.analysis.questions > 0).then(|| answer_then_keep_time(iv, obs, stage))
}

fn help_when_stuck(iv: &Interview, obs: &Observation, stage: Stage) -> Option<Vec<Action>> {
    let dry_limit = if iv.mode == Mode::Coach { 1 } else { 2 };
    if !(obs.analysis.stuck || iv.dry_turns >= dry_limit) {
        return None;
    }
    // "Okay, I'm happy with that" in a stage already covered says: move on. Nothing to hint.
    if !obs.analysis.stuck && covered_enough(iv, stage) {
        return Some(vec![advance(stage, Reason::Coverage)]);
    }
    let plan = iv.scenario.stage(stage);
    let given = iv.stats[stage].hints;
    if given > plan.hints.len() {
        // Every hint, and the one that names the gap, has been given: move on like a human would.
        Some(vec![advance(stage, Reason::Stuck)])
    } else {
        Some(vec![hint(iv, stage)])
    }
}

/// A reply that did not take up the follow-up gets it once more, plainly; a second miss and
/// the interview moves on, as a human interviewer would.
fn press_an_ignored_follow_up(
    iv: &Interview,
    obs: &Observation,
    stage: Stage,
) -> Option<Vec<Action>> {
    let last = iv.last_probe?;
    (obs.ignored_probe && !last.pressed && last.stage == stage).then(|| {
        vec![Action::Probe {
            stage,
            index: last.index,
            curveball: last.curveball,
            press: true,
        }]
    })
}

fn keep_time(iv: &Interview, _: &Observation, stage: Stage) -> Option<Vec<Action>> {
    on_time(iv, stage).map(|time| vec![time])
}

/// Follow a candidate who has moved on to the next topic by themselves. Only ever one stage:
/// a passing mention of monitoring while clarifying is not a reason to skip five stages.
fn follow_ahead(iv: &Interview, obs: &Observation, stage: Stage) -> Option<Vec<Action>> {
    let next = stage.next();
    let new_in = |s: Option<Stage>| {
        obs.new
            .iter()
            .filter(|h| Some(iv.scenario.checkpoints[h.checkpoint].stage) == s)
            .count()
    };
    let (ahead, here) = (new_in(next), new_in(Some(stage)));
    if !(ahead >= 2 && ahead > here && iv.stats[stage].candidate_turns >= 1) {
        return None;
    }
    let to = next.unwrap_or(stage);
    let mut out = vec![Action::AdvanceStage {
        from: Some(stage),
        to,
        reason: Reason::Candidate,
    }];
    // They already answered the new stage's opening; follow up on what they said instead.
    out.extend(probe_after_new(iv, to, obs));
    Some(out)
}

fn follow_up_what_was_just_covered(
    iv: &Interview,
    obs: &Observation,
    stage: Stage,
) -> Option<Vec<Action>> {
    probe_after_new(iv, stage, obs).map(|p| vec![p])
}

/// In the stage being practised, every remaining probe comes before moving on.
fn exhaust_the_focus_stage(iv: &Interview, _: &Observation, stage: Stage) -> Option<Vec<Action>> {
    if iv.focus != Some(stage) {
        return None;
    }
    open_probe(iv, stage)
        .or_else(|| covered_probe(iv, stage))
        .map(|p| vec![p])
}

/// Stage coverage from which a stage with time to spare is taken deeper rather than left: most
/// of it shown, some of it perhaps only named, which the deep dives ask to explain.
const DEEPER_FROM: f64 = 0.5;

/// Time is spent, not saved: a stage mostly covered with time to spare goes deeper, as a real
/// interviewer would. First a curveball of the stage not yet thrown, then a probe not yet asked,
/// then the candidate's own claims taken further one by one, until the stage's budget is used
/// or nothing is left to take further. A candidate who runs dry is moved on by
/// `help_when_stuck` before this.
fn go_deeper_while_time_allows(
    iv: &Interview,
    obs: &Observation,
    stage: Stage,
) -> Option<Vec<Action>> {
    let spare = iv.stats[stage].seconds(iv.now) < iv.budget.stage(stage);
    // A candidate whose answer has gone on to later stages is not held back on this one.
    let moved_on = obs
        .new
        .iter()
        .any(|h| iv.scenario.checkpoints[h.checkpoint].stage > stage);
    if !(iv.stage_coverage(stage) >= DEEPER_FROM && spare) || moved_on {
        return None;
    }
    any_curveball(iv, stage)
        .or_else(|| open_probe(iv, stage))
        .or_else(|| deep_dive(iv, obs, stage))
        .map(|a| vec![a])
}

/// A curveball of `stage` not yet thrown whose trigger, if it has one, is covered.
fn any_curveball(iv: &Interview, stage: Stage) -> Option<Action> {
    let index = iv
        .scenario
        .curveballs
        .iter()
        .enumerate()
        .position(|(k, c)| {
            c.stage == stage && !iv.curveballs_fired[k] && c.after.is_none_or(|a| iv.covered(a))
        })?;
    Some(Action::Probe {
        stage,
        index,
        curveball: true,
        press: false,
    })
}

/// How many deep-dive questions one checkpoint may get: one from each of its stage's angles.
const DIVES_PER_CHECKPOINT: usize = 3;

/// A claim of the candidate's in `stage` taken further: the checkpoint taken deeper least so far
/// (one the last answer showed first, then one only named, then the heaviest), quoted from the
/// candidate's own words in this stage (the last answer's first), from
/// the stage's next angle. No checkpoint is asked twice from one angle and no quote is asked
/// twice from one angle, since one sentence is often the evidence of several checkpoints.
fn deep_dive(iv: &Interview, obs: &Observation, stage: Stage) -> Option<Action> {
    let sc = &iv.scenario;
    if stage == Stage::Clarify {
        return None;
    }
    let angles = super::Angle::for_stage(stage);
    let in_stage = |turn: usize| {
        iv.turns
            .get(turn.wrapping_sub(1))
            .is_some_and(|t| t.phase == Phase::Stage(stage))
    };
    let dives_of = |i: usize| iv.deep_dives.iter().filter(|d| d.0 == i).count();
    // (checkpoint, its rank key, weight, angle, quote)
    type Key = (usize, bool, bool);
    let mut best: Option<(usize, Key, f64, super::Angle, String)> = None;
    for (i, c) in sc.checkpoints.iter().enumerate() {
        if c.stage != stage || dives_of(i) >= DIVES_PER_CHECKPOINT {
            continue;
        }
        // Only what was said in this stage: a claim made in passing elsewhere, or a credit
        // from another topic's sentence, is not what this stage's questions build on.
        let just_said = obs.analysis.hits.iter().find(|h| h.checkpoint == i);
        let mut own: Vec<&str> = just_said.map(|h| h.quote.as_str()).into_iter().collect();
        own.extend(
            (iv.evidence[i].iter().rev())
                .filter(|e| e.source != super::Source::Model && in_stage(e.turn))
                .map(|e| e.quote.as_str()),
        );
        let fresh = angles.iter().find_map(|&angle| {
            let taken =
                |q: &str| (iv.deep_dives.iter()).any(|d| d.1 == angle && (d.0 == i || d.2 == q));
            own.iter()
                .map(|q| clip(q, QUOTE_WORDS))
                .find(|q| !taken(q))
                .map(|q| (angle, q))
        });
        let Some((angle, quote)) = fresh else {
            continue;
        };
        let key = (dives_of(i), just_said.is_none(), !iv.only_named(i));
        let better = best
            .as_ref()
            .is_none_or(|b| key < b.1 || (key == b.1 && c.weight > b.2));
        if better {
            best = Some((i, key, c.weight, angle, quote));
        }
    }
    let (i, _, _, angle, quote) = best?;
    Some(Action::DeepDive {
        stage,
        checkpoint: sc.checkpoints[i].id.clone(),
        angle,
        quote,
    })
}

/// The most words of the candidate's that a line quotes back.
const QUOTE_WORDS: usize = 14;

/// The first `n` words of `text`, marked when cut.
fn clip(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= n {
        text.trim().trim_end_matches(['.', '!']).to_string()
    } else {
        format!(
            "{}...",
            words[..n].join(" ").trim_end_matches([',', ';', ':'])
        )
    }
}

fn covered_enough(iv: &Interview, stage: Stage) -> bool {
    iv.stage_coverage(stage) >= STAGE_DONE
}

fn move_on_when_covered(iv: &Interview, _: &Observation, stage: Stage) -> Option<Vec<Action>> {
    (covered_enough(iv, stage) && iv.stats[stage].probes_asked >= 1)
        .then(|| vec![advance(stage, Reason::Coverage)])
}

fn ask_an_open_probe(iv: &Interview, _: &Observation, stage: Stage) -> Option<Vec<Action>> {
    open_probe(iv, stage).map(|p| vec![p])
}

/// Out of questions with the stage still thin: nudge once before moving on (in coach mode,
/// through every hint).
fn nudge_a_thin_stage(iv: &Interview, _: &Observation, stage: Stage) -> Option<Vec<Action>> {
    let hints = iv.stats[stage].hints;
    let nudge = match iv.mode {
        Mode::Coach => !covered_enough(iv, stage) && hints < iv.scenario.stage(stage).hints.len(),
        Mode::Interview => hints == 0 && iv.stage_coverage(stage) < 0.5,
    };
    nudge.then(|| vec![hint(iv, stage)])
}

pub fn on_request(iv: &Interview, request: Request) -> Vec<Action> {
    match (request, iv.phase) {
        (_, Phase::Ended | Phase::NotStarted) => vec![],
        (Request::End, _) => vec![Action::Debrief {
            reason: Reason::Ended,
        }],
        (Request::Hint, Phase::Stage(s)) => vec![hint(iv, s)],
        (Request::Skip, Phase::Stage(s)) => vec![advance(s, Reason::Skip)],
        (Request::Hint | Request::Skip, Phase::WrapUp) => vec![],
    }
}

fn answer(iv: &Interview, obs: &Observation) -> Action {
    let asked = &obs.analysis.facts;
    // Tell what is new; repeat old facts only when nothing new was asked.
    let fresh: Vec<usize> = asked.iter().copied().filter(|&i| !iv.revealed[i]).collect();
    let repeat = fresh.is_empty() && !asked.is_empty();
    let facts = if repeat { asked.clone() } else { fresh };
    Action::AnswerFact {
        facts: facts
            .iter()
            .map(|&i| iv.scenario.facts[i].id.clone())
            .collect(),
        repeat,
    }
}

fn advance(from: Stage, reason: Reason) -> Action {
    match from.next() {
        Some(to) => Action::AdvanceStage {
            from: Some(from),
            to,
            reason,
        },
        None => Action::WrapUp { reason },
    }
}

/// Time-driven moves: the whole interview nearing its end, or this stage over budget.
fn on_time(iv: &Interview, stage: Stage) -> Option<Action> {
    if iv.now >= iv.budget.wrap_up_at() {
        return Some(Action::WrapUp {
            reason: Reason::Time,
        });
    }
    let spent = iv.stats[stage].seconds(iv.now);
    (spent >= iv.budget.stage(stage) * (1.0 + OVERRUN))
        .then(|| advance(stage, Reason::Time))
        .or_else(|| {
            // Within budget but past it, move on once the candidate has had a fair go.
            let fair = spent >= iv.budget.stage(stage) && iv.stats[stage].probes_asked >= 1;
            fair.then(|| advance(stage, Reason::Time))
        })
}

/// Proposing a model before any clarifying question.
fn jumped_ahead(iv: &Interview, obs: &Observation) -> bool {
    let clarified = iv
        .scenario
        .checkpoints
        .iter()
        .enumerate()
        .filter(|(_, c)| c.stage == Stage::Clarify);
    let clarified = clarified.filter(|(i, _)| iv.covered(*i)).count();
    let mentions_model = obs
        .analysis
        .hits
        .iter()
        .any(|h| iv.scenario.checkpoints[h.checkpoint].stage == Stage::Model);
    mentions_model && clarified < 2
}

fn hint(iv: &Interview, stage: Stage) -> Action {
    let given = iv.stats[stage].hints;
    let level = given + 1;
    let checkpoint = (level > iv.scenario.stage(stage).hints.len())
        .then(|| first_gap(iv, stage))
        .flatten()
        .map(|i| iv.scenario.checkpoints[i].id.clone());
    Action::Hint {
        stage,
        level,
        checkpoint,
    }
}

fn first_gap(iv: &Interview, stage: Stage) -> Option<usize> {
    iv.scenario
        .checkpoints
        .iter()
        .enumerate()
        .filter(|(i, c)| c.stage == stage && !iv.covered(*i))
        .max_by(|a, b| a.1.weight.total_cmp(&b.1.weight).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

/// A probe or curveball that follows a checkpoint this turn just covered.
fn probe_after_new(iv: &Interview, stage: Stage, obs: &Observation) -> Option<Action> {
    let plan = iv.scenario.stage(stage);
    for hit in &obs.new {
        let i = plan
            .probes
            .iter()
            .enumerate()
            .position(|(k, p)| p.after == Some(hit.checkpoint) && !iv.probes_asked[stage][k]);
        if let Some(index) = i {
            return Some(Action::Probe {
                stage,
                index,
                curveball: false,
                press: false,
            });
        }
        let c = iv
            .scenario
            .curveballs
            .iter()
            .enumerate()
            .position(|(k, c)| {
                c.stage == stage && c.after == Some(hit.checkpoint) && !iv.curveballs_fired[k]
            });
        if let Some(index) = c {
            return Some(Action::Probe {
                stage,
                index,
                curveball: true,
                press: false,
            });
        }
    }
    None
}

/// A probe whose checkpoint is covered but that was never asked (it came up while another
/// question was pending).
fn covered_probe(iv: &Interview, stage: Stage) -> Option<Action> {
    let plan = iv.scenario.stage(stage);
    let index =
        plan.probes.iter().enumerate().position(|(k, p)| {
            p.after.is_some_and(|c| iv.covered(c)) && !iv.probes_asked[stage][k]
        })?;
    Some(Action::Probe {
        stage,
        index,
        curveball: false,
        press: false,
    })
}

/// A probe that needs no trigger: an unconditioned curveball once the stage is underway, or one of
/// the stage's open probes.
fn open_probe(iv: &Interview, stage: Stage) -> Option<Action> {
    let asked = iv.stats[stage].probes_asked;
    if asked >= 1 {
        let c = iv
            .scenario
            .curveballs
            .iter()
            .enumerate()
            .position(|(k, c)| c.stage == stage && c.after.is_none() && !iv.curveballs_fired[k]);
        if let Some(index) = c {
            return Some(Action::Probe {
                stage,
                index,
                curveball: true,
                press: false,
            });
        }
    }
    let plan = iv.scenario.stage(stage);
    plan.probes
        .iter()
        .enumerate()
        .position(|(k, p)| p.after.is_none() && !iv.probes_asked[stage][k])
        .map(|index| Action::Probe {
            stage,
            index,
            curveball: false,
            press: false,
        })
}

#[cfg(test)]
#[path = "director_tests.rs"]
mod tests;
