//! Going deeper: the director's rules that take the candidate's own words further. A wrong move
//! is challenged once, quoting it, and a stage covered with time to spare is taken deeper on
//! what the candidate said in it, as a real interviewer spends the hour rather than saves it.

use super::director::{answer, answering_first, open_probe};
use super::{Action, Angle, Interview, Observation, Phase, Source};
use crate::cue;
use crate::framework::Stage;

/// The most words of the candidate's that a line quotes back.
const QUOTE_WORDS: usize = 14;

/// A misconception stated in this turn and never challenged gets one challenge, quoting the
/// words that made it. A candidate who repeats it after the challenge is not argued with; the
/// debrief says they held to it.
pub(super) fn push_back_on_a_misconception(
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
    let tokens = cue::Tokens::new(&stated.quote);
    let focus = (m.evidence(&stated.quote, &tokens)).unwrap_or(0..stated.quote.len());
    let quote = quoted(&stated.quote, focus);
    Some(answering_first(
        obs,
        || answer(iv, obs),
        Action::PushBack {
            misconception: m.id.clone(),
            quote,
        },
    ))
}

/// The candidate's words to quote back from `sentence`: a short sentence whole (cut, it loses
/// its point: "a random 80"), else the clause around `focus` ("For features I'd use velocity
/// counts in the last hour", not "... in the last"), else the few words around it. A focus on
/// the whole sentence (the semantic reader's) quotes its first words.
pub(super) fn quoted(sentence: &str, focus: std::ops::Range<usize>) -> String {
    const MOST: usize = QUOTE_WORDS + 2;
    if cue::word_count(sentence) <= MOST {
        return cue::clip(sentence, MOST);
    }
    let (before, after) = (&sentence[..focus.start], &sentence[focus.end..]);
    if before.trim().is_empty() && after.trim().is_empty() {
        return cue::clip(sentence, QUOTE_WORDS);
    }
    let start = before.rfind([',', ';', ':']).map_or(0, |i| i + 1);
    let end = after
        .find([',', ';', ':'])
        .map_or(sentence.len(), |i| focus.end + i);
    let clause = sentence[start..end].trim();
    if cue::word_count(clause) <= MOST {
        return cue::clip(clause, MOST);
    }
    cue::excerpt(sentence, focus, 4).to_string()
}

/// Stage coverage from which a stage with time to spare is taken deeper rather than left: most
/// of it shown, some of it perhaps only named, which the deep dives ask to explain.
const DEEPER_FROM: f64 = 0.5;

/// Time is spent, not saved: a stage mostly covered with time to spare goes deeper, as a real
/// interviewer would. First a curveball of the stage not yet thrown, then a probe not yet asked,
/// then the candidate's own claims taken further one by one, until the stage's budget is used
/// or nothing is left to take further. A candidate who runs dry is moved on by
/// `help_when_stuck` before this.
pub(super) fn go_deeper_while_time_allows(
    iv: &Interview,
    obs: &Observation,
    stage: Stage,
) -> Option<Vec<Action>> {
    let spare = iv.stats[stage].seconds(iv.now) < iv.budget.stage(stage);
    // A candidate whose answer has gone on to later stages is not held back on this one; an
    // answer about this stage (new or said before) that touches a later one in passing has not
    // moved on.
    let stage_of = |h: &super::coverage::Hit| iv.scenario.checkpoints[h.checkpoint].stage;
    let later = obs.new.iter().filter(|h| stage_of(h) > stage).count();
    let here = (obs.analysis.hits.iter())
        .filter(|h| stage_of(h) == stage)
        .count();
    let moved_on = later > here;
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
        quote: None,
    })
}

/// Whether `text` already puts a number on something: asking it to is asking again.
fn has_number(text: &str) -> bool {
    cue::Tokens::new(text).tokens.iter().any(|t| t.lower == "#")
}

/// How many deep-dive questions one checkpoint may get: one from each of its stage's angles.
const DIVES_PER_CHECKPOINT: usize = 3;

/// A claim of the candidate's in `stage` taken further: the checkpoint taken deeper least so far
/// (one the last answer showed first, then one only named, then the heaviest), quoted from the
/// candidate's own words in this stage (the last answer's first), from
/// the stage's next angle. No checkpoint is asked twice from one angle and no quote is asked
/// twice from one angle, since one sentence is often the evidence of several checkpoints.
pub(super) fn deep_dive(iv: &Interview, obs: &Observation, stage: Stage) -> Option<Action> {
    let sc = &iv.scenario;
    if stage == Stage::Clarify {
        return None;
    }
    // The angle the line before asked comes after the others, and is never asked of the reply
    // to it: "what is the strongest alternative?" about the alternative just given reads as
    // not listening.
    let replies_since = |asked: usize| iv.candidate_turns().filter(|t| t.n >= asked).count();
    let last = (iv.deep_dives.last())
        .filter(|d| replies_since(d.asked) == 1)
        .map(|d| d.angle);
    let mut angles = Angle::for_stage(stage).to_vec();
    angles.sort_by_key(|a| Some(*a) == last);
    let reply = iv.turns.last().map_or("", |t| t.text.as_str());
    let in_stage = |turn: usize| {
        iv.turns
            .get(turn.wrapping_sub(1))
            .is_some_and(|t| t.phase == Phase::Stage(stage))
    };
    let dives_of = |i: usize| iv.deep_dives.iter().filter(|d| d.checkpoint == i).count();
    // (checkpoint, its rank key, weight, angle, quote)
    type Key = (bool, usize, bool, bool);
    let mut best: Option<(usize, Key, f64, Angle, String)> = None;
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
                .filter(|e| e.source != Source::Model && in_stage(e.turn))
                .map(|e| e.quote.as_str()),
        );
        let fresh = angles.iter().find_map(|&angle| {
            let taken = |q: &str| {
                (iv.deep_dives.iter())
                    .any(|d| d.angle == angle && (d.checkpoint == i || d.quote == q))
            };
            own.iter()
                .filter(|q| Some(angle) != last || !reply.contains(**q))
                .filter(|q| angle != Angle::Numbers || !has_number(q))
                .map(|q| cue::clip(q, QUOTE_WORDS))
                .find(|q| !taken(q))
                .map(|q| (angle, q))
        });
        let Some((angle, quote)) = fresh else {
            continue;
        };
        let key = (
            Some(angle) == last,
            dives_of(i),
            just_said.is_none(),
            !iv.only_named(i),
        );
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
