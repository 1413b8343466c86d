//! The director: a pure policy from the interview state and the latest turn to what the
//! interviewer does next. It never changes state; `Interview::apply` does.

use super::{Action, Interview, Mode, Observation, Phase, Reason, depth};
use crate::framework::Stage;

/// What the candidate can ask of the interview itself (the slash commands that change state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Hint,
    Skip,
    End,
    /// Say what the last submission to the hidden cases shows (it is already recorded).
    Review,
}

/// Stage coverage at which the interviewer is happy to move on.
const STAGE_DONE: f64 = 0.75;
/// How long past its budget a stage may run before the interviewer moves on regardless.
const OVERRUN: f64 = 1.0;

/// A rule either decides the whole reply to this turn in `stage` or passes to the next one.
type Rule = fn(&Interview, &Observation, Stage) -> Option<Vec<Action>>;

/// The rules in priority order, the first to decide winning. The order is the policy: a wrong
/// move is challenged before anything else (a question asked with it is answered first), a
/// request to move on is granted, a turn of only questions is answered even when it jumps
/// ahead, a stuck candidate is helped before the clock moves them on, a candidate who moves
/// ahead or opens new ground is followed before an ignored follow-up is pressed, and a stage is
/// left on coverage only once no follow-up is due.
const RULES: &[Rule] = &[
    depth::push_back_on_a_misconception,
    move_on_when_asked,
    answer_only_questions,
    close_when_the_candidate_is_done,
    redirect_a_jump_to_the_model,
    answer_a_question_in_a_statement,
    help_when_stuck,
    keep_time,
    follow_ahead,
    follow_up_what_was_just_covered,
    press_an_ignored_follow_up,
    exhaust_the_focus_stage,
    depth::go_deeper_while_time_allows,
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
    let mut actions = RULES
        .iter()
        .find_map(|rule| rule(iv, obs, stage))
        // Nothing left to ask and no nudge due.
        .unwrap_or_else(|| vec![advance(iv, stage, Reason::Coverage)]);
    // A stage the candidate has already begun on (while answering another) is not opened with
    // its question, which they have partly answered: one of its open probes, or their own words
    // taken further, goes on from there.
    if let Some(Action::AdvanceStage { to, .. }) = actions.last()
        && iv.stage_coverage(*to) > 0.0
        && let Some(probe) = open_probe(iv, *to).or_else(|| depth::deep_dive(iv, obs, *to))
    {
        actions.push(probe);
    }
    actions
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

/// How many times in a row the interviewer tells again what it already told before it moves on
/// instead: a candidate asking the same again and again is going nowhere.
const REPEATS: usize = 2;

fn answer_then_keep_time(iv: &Interview, obs: &Observation, stage: Stage) -> Vec<Action> {
    let answer = answer(iv, obs);
    let going_round =
        matches!(answer, Action::AnswerFact { repeat: true, .. }) && iv.repeated_answers >= REPEATS;
    let mut out = vec![answer];
    match going_round {
        true => out.push(advance(iv, stage, Reason::Coverage)),
        false => out.extend(on_time(iv, stage)),
    }
    out
}

fn answer_only_questions(iv: &Interview, obs: &Observation, stage: Stage) -> Option<Vec<Action>> {
    let a = &obs.analysis;
    (a.questions > 0 && a.statements == 0).then(|| answer_then_keep_time(iv, obs, stage))
}

/// A candidate who asks to go on ("Shall I move on to data?") is taken on, to the stage they
/// name when it is ahead, else to the next; a question asked with it is answered first. The
/// debrief judges the stage left on what it showed.
fn move_on_when_asked(iv: &Interview, obs: &Observation, stage: Stage) -> Option<Vec<Action>> {
    let named = obs.move_on?;
    // "Can we talk about the data?" while on the data is a question about it, not a move.
    if named.is_some_and(|to| to <= stage) {
        return None;
    }
    let go = match named.filter(|&to| iv.scenario.in_round(to)) {
        Some(to) => Action::AdvanceStage {
            from: Some(stage),
            to,
            reason: Reason::Candidate,
        },
        None => advance(iv, stage, Reason::Candidate),
    };
    Some(answering_first(obs, || answer(iv, obs), go))
}

/// A candidate who says they have finished, or sums up the whole design in the last stage, is
/// taken to the close (a question asked with it answered first), not held to the clock.
fn close_when_the_candidate_is_done(
    iv: &Interview,
    obs: &Observation,
    stage: Stage,
) -> Option<Vec<Action>> {
    let said = iv.turns.last().filter(|t| t.n == obs.turn)?;
    let summary =
        iv.scenario.next_stage(stage).is_none() && super::requests::is_summary(&said.text);
    if !(super::requests::is_closing(&said.text) || summary) {
        return None;
    }
    // A question at the close that no hidden fact answers is about the team or the role.
    let about_the_close = || match obs.analysis.facts.is_empty() {
        true => Action::AnswerAbout,
        false => answer(iv, obs),
    };
    Some(answering_first(
        obs,
        about_the_close,
        Action::WrapUp {
            reason: Reason::Candidate,
        },
    ))
}

/// `then`, after the answer to whatever this turn asked, if it asked anything.
pub(super) fn answering_first(
    obs: &Observation,
    answer: impl FnOnce() -> Action,
    then: Action,
) -> Vec<Action> {
    let mut out: Vec<Action> = (obs.asks()).then(answer).into_iter().collect();
    out.push(then);
    out
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
        return Some(vec![advance(iv, stage, Reason::Coverage)]);
    }
    let plan = iv.scenario.stage(stage);
    if hints_given(iv, stage) > plan.hints.len() {
        // Every hint, and the one that names the gap, has been given: move on like a human would.
        Some(vec![advance(iv, stage, Reason::Stuck)])
    } else {
        // A coach speaks up after one quiet turn; the candidate did not need that hint.
        let offered = iv.mode == Mode::Coach && !obs.analysis.stuck;
        Some(vec![hint(iv, stage, offered)])
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
            quote: None,
        }]
    })
}

fn keep_time(iv: &Interview, _: &Observation, stage: Stage) -> Option<Vec<Action>> {
    on_time(iv, stage).map(|time| vec![time])
}

/// Follow a candidate who has moved on to the next topic by themselves. Only ever one stage:
/// a passing mention of monitoring while clarifying is not a reason to skip five stages.
fn follow_ahead(iv: &Interview, obs: &Observation, stage: Stage) -> Option<Vec<Action>> {
    let next = iv.scenario.next_stage(stage);
    let stage_of = |h: &&super::coverage::Hit| Some(iv.scenario.checkpoints[h.checkpoint].stage);
    // New ground ahead against what the answer shows of this stage, new or said before: an
    // answer about this stage that also touches the next has not moved on.
    let ahead = obs.new.iter().filter(|h| stage_of(h) == next).count();
    let here = (obs.analysis.hits.iter())
        .filter(|h| stage_of(h) == Some(stage))
        .count();
    if !(ahead >= 2 && ahead > here && iv.stats[stage].candidate_turns >= 1) {
        return None;
    }
    let to = next.unwrap_or(stage);
    let mut out = vec![Action::AdvanceStage {
        from: Some(stage),
        to,
        reason: Reason::Candidate,
    }];
    // They already answered the new stage's opening: follow up on what they said. Failing that,
    // `decide` goes on from what they said of the stage, never with its opening again.
    out.extend(probe_after_new(iv, to, obs));
    Some(out)
}

fn follow_up_what_was_just_covered(
    iv: &Interview,
    obs: &Observation,
    stage: Stage,
) -> Option<Vec<Action>> {
    probe_on_a_claim(iv, stage, obs)
        .or_else(|| probe_after_new(iv, stage, obs))
        .map(|p| vec![p])
}

/// A probe whose claim (`when`) a statement of this turn just made, quoting it: "You said
/// "I'd oversample with SMOTE". What does that do to the probabilities you threshold?"
fn probe_on_a_claim(iv: &Interview, stage: Stage, obs: &Observation) -> Option<Action> {
    let said = iv.turns.last().filter(|t| t.n == obs.turn)?;
    let plan = iv.scenario.stage(stage);
    for range in crate::cue::sentences(&said.text) {
        let sentence = said.text[range].trim();
        let tokens = crate::cue::Tokens::new(sentence);
        if crate::cue::is_question(sentence, &tokens) || super::coverage::is_dismissal(sentence) {
            continue;
        }
        for (index, p) in plan.probes.iter().enumerate() {
            let Some(when) = &p.when else { continue };
            if !worth_asking(iv, stage, index) || p.after.is_some_and(|a| !iv.covered(a)) {
                continue;
            }
            if let Some(focus) = crate::scenario::says(when, &tokens) {
                return Some(Action::Probe {
                    stage,
                    index,
                    curveball: false,
                    press: false,
                    quote: Some(depth::quoted(sentence, focus)),
                });
            }
        }
    }
    None
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

fn covered_enough(iv: &Interview, stage: Stage) -> bool {
    iv.stage_coverage(stage) >= STAGE_DONE
}

fn move_on_when_covered(iv: &Interview, _: &Observation, stage: Stage) -> Option<Vec<Action>> {
    (covered_enough(iv, stage) && iv.follow_up_tally(Some(stage)).asked >= 1)
        .then(|| vec![advance(iv, stage, Reason::Coverage)])
}

fn ask_an_open_probe(iv: &Interview, _: &Observation, stage: Stage) -> Option<Vec<Action>> {
    open_probe(iv, stage).map(|p| vec![p])
}

/// Out of questions with the stage still thin: nudge once before moving on (in coach mode,
/// through every hint).
fn nudge_a_thin_stage(iv: &Interview, _: &Observation, stage: Stage) -> Option<Vec<Action>> {
    let hints = hints_given(iv, stage);
    let nudge = match iv.mode {
        Mode::Coach => !covered_enough(iv, stage) && hints < iv.scenario.stage(stage).hints.len(),
        Mode::Interview => hints == 0 && iv.stage_coverage(stage) < 0.5,
    };
    // A coach's nudges are coaching; an interviewer who has to prompt a thin stage counts it.
    nudge.then(|| vec![hint(iv, stage, iv.mode == Mode::Coach)])
}

pub fn on_request(iv: &Interview, request: Request) -> Vec<Action> {
    match (request, iv.phase) {
        (_, Phase::Ended | Phase::NotStarted) => vec![],
        (Request::End, _) => vec![Action::Debrief {
            reason: Reason::Ended,
        }],
        (Request::Hint, Phase::Stage(s)) => vec![hint(iv, s, false)],
        (Request::Skip, Phase::Stage(s)) => vec![advance(iv, s, Reason::Skip)],
        (Request::Hint | Request::Skip, Phase::WrapUp) => vec![],
        (Request::Review, phase) => review(iv, phase),
    }
}

/// A submission's review. Code that passes every hidden case in the stage where it is written
/// (`model`) moves the round on once the candidate has explained it; until then an open probe
/// of the stage asks them to. Passing code submitted earlier takes the round to that stage.
fn review(iv: &Interview, phase: Phase) -> Vec<Action> {
    let Some(run) = iv.submission() else {
        return vec![];
    };
    let mut out = vec![Action::CodeReview {
        passed: run.passed,
        total: run.total,
        failing: run.failing_categories(),
        broken: run.broken(),
    }];
    let Phase::Stage(stage) = phase else {
        return out;
    };
    if !run.all_passed() || stage > Stage::Model || !iv.scenario.in_round(Stage::Model) {
        return out;
    }
    if stage < Stage::Model {
        // Working code written early: the round is where code is discussed.
        out.push(Action::AdvanceStage {
            from: Some(stage),
            to: Stage::Model,
            reason: Reason::Candidate,
        });
        out.extend(open_probe(iv, Stage::Model));
        return out;
    }
    let explained = iv.stage_coverage(Stage::Model) >= STAGE_DONE;
    out.extend(match explained {
        true => Some(advance(iv, Stage::Model, Reason::Coverage)),
        false => open_probe(iv, Stage::Model),
    });
    out
}

pub(super) fn answer(iv: &Interview, obs: &Observation) -> Action {
    let asked = &obs.analysis.facts;
    // Tell what is new; repeat old facts only when nothing new was asked.
    let fresh: Vec<usize> = asked.iter().copied().filter(|&i| !iv.revealed[i]).collect();
    let repeat = fresh.is_empty() && !asked.is_empty();
    let facts = if repeat { asked.clone() } else { fresh };
    // A question about the problem that no fact answers is told to assume; one that asks the
    // interviewer to judge or explain ML itself is the candidate's to answer.
    let about_problem = (obs.analysis.hits.iter())
        .any(|h| iv.scenario.checkpoints[h.checkpoint].stage == Stage::Clarify);
    Action::AnswerFact {
        facts: facts
            .iter()
            .map(|&i| iv.scenario.facts[i].id.clone())
            .collect(),
        repeat,
        turned_back: asked.is_empty() && obs.opinion && !about_problem,
    }
}

fn advance(iv: &Interview, from: Stage, reason: Reason) -> Action {
    match iv.scenario.next_stage(from) {
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
        .then(|| advance(iv, stage, Reason::Time))
        .or_else(|| {
            // Within budget but past it, move on once the candidate has had a fair go.
            let fair =
                spent >= iv.budget.stage(stage) && iv.follow_up_tally(Some(stage)).asked >= 1;
            fair.then(|| advance(iv, stage, Reason::Time))
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

/// Hints of the stage so far, needed or offered: each is stronger than the last.
fn hints_given(iv: &Interview, stage: Stage) -> usize {
    iv.stats[stage].hints + iv.stats[stage].offered
}

/// The stage's hints in turn, and then its biggest gap. Once the candidate has shown part of
/// the stage, the gap straight away: the stage's hints speak of all of it, and would ask again
/// for what was just said ("Say what kind of task this is" after "a binary classifier").
fn hint(iv: &Interview, stage: Stage, offered: bool) -> Action {
    let level = hints_given(iv, stage) + 1;
    let begun = iv.stage_coverage(stage) > 0.0;
    let checkpoint = (begun || level > iv.scenario.stage(stage).hints.len())
        .then(|| first_gap(iv, stage))
        .flatten()
        .map(|i| iv.scenario.checkpoints[i].id.clone());
    Action::Hint {
        stage,
        level,
        checkpoint,
        offered,
    }
}

fn first_gap(iv: &Interview, stage: Stage) -> Option<usize> {
    iv.scenario
        .checkpoints
        .iter()
        .enumerate()
        .filter(|(i, c)| c.stage == stage && iv.scenario.asks_for(*i) && !iv.covered(*i))
        .max_by(|a, b| a.1.weight.total_cmp(&b.1.weight).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

/// Whether probe `k` of `stage` is still worth asking: not asked yet, and not asking for what
/// the candidate has already explained ("What would your baseline be?" after they described
/// one). A curveball changes the problem, so it is never already answered.
fn worth_asking(iv: &Interview, stage: Stage, k: usize) -> bool {
    let p = &iv.scenario.stage(stage).probes[k];
    !iv.probes_asked[stage][k] && !iv.already_said(p.after, &p.names)
}

/// A probe or curveball that follows a checkpoint this turn just covered.
fn probe_after_new(iv: &Interview, stage: Stage, obs: &Observation) -> Option<Action> {
    let plan = iv.scenario.stage(stage);
    for hit in &obs.new {
        let i = plan
            .probes
            .iter()
            .enumerate()
            .position(|(k, p)| p.after == Some(hit.checkpoint) && worth_asking(iv, stage, k));
        if let Some(index) = i {
            return Some(Action::Probe {
                stage,
                index,
                curveball: false,
                press: false,
                // The claim it follows, in the candidate's words: the question builds on them.
                // (A clarifying question is not a claim.)
                quote: (stage != Stage::Clarify)
                    .then(|| depth::quoted(&hit.quote, hit.focus.clone())),
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
                quote: None,
            });
        }
    }
    None
}

/// A probe whose checkpoint is covered but that was never asked (it came up while another
/// question was pending).
fn covered_probe(iv: &Interview, stage: Stage) -> Option<Action> {
    let plan = iv.scenario.stage(stage);
    let index = plan.probes.iter().enumerate().position(|(k, p)| {
        p.after.is_some_and(|c| iv.covered(c)) && p.when.is_none() && worth_asking(iv, stage, k)
    })?;
    Some(Action::Probe {
        stage,
        index,
        curveball: false,
        press: false,
        quote: None,
    })
}

/// A probe that needs no trigger: an unconditioned curveball once the stage is underway, or one of
/// the stage's open probes.
pub(super) fn open_probe(iv: &Interview, stage: Stage) -> Option<Action> {
    if iv.follow_up_tally(Some(stage)).asked >= 1 {
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
                quote: None,
            });
        }
    }
    let plan = iv.scenario.stage(stage);
    plan.probes
        .iter()
        .enumerate()
        .position(|(k, p)| p.after.is_none() && p.when.is_none() && worth_asking(iv, stage, k))
        .map(|index| Action::Probe {
            stage,
            index,
            curveball: false,
            press: false,
            quote: None,
        })
}

#[cfg(test)]
#[path = "director_tests.rs"]
mod tests;
