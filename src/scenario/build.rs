//! From the file as written to the model the interview uses: every reference resolved, every
//! rule checked, and every problem reported at its key rather than at the first one found.

use super::format::{
    RawBudget, RawCheckpoint, RawCurveball, RawEstimate, RawFact, RawMisconception, RawScenario,
    RawStage,
};
use super::lint::lint;
use super::load::read_text;
use super::problem::Problems;
use super::{
    Checkpoint, Curveball, Fact, LoadError, Misconception, Origin, Persona, Probe, Problem,
    Scenario, StagePlan, named_in,
};
use crate::cue::CueSet;
use crate::framework::StageMap;
use crate::framework::{self, Stage};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// Every error and lint of a scenario file, in file order.
pub fn check_file(path: &Path) -> Vec<Problem> {
    match read_text(path) {
        Ok(text) => {
            let file = path.display().to_string();
            let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            let mut list = match validate(&text, &file, Origin::File(abs)) {
                Ok((scenario, warnings)) => {
                    let mut p = Problems {
                        file: &file,
                        text: &text,
                        list: warnings,
                    };
                    super::task::task_runs(&scenario, &mut p);
                    p.list
                }
                Err(problems) => problems,
            };
            list.sort_by_key(|p| (p.line, p.col));
            list
        }
        Err(LoadError::Invalid { problems }) => problems,
        Err(e) => vec![Problem {
            file: path.display().to_string(),
            line: 1,
            col: 1,
            message: e.to_string(),
            warning: false,
        }],
    }
}

/// Every error and lint of scenario text.
pub fn check_text(text: &str, file: &str) -> Vec<Problem> {
    let mut list = match validate(text, file, Origin::Builtin) {
        Ok((_, warnings)) => warnings,
        Err(problems) => problems,
    };
    list.sort_by_key(|p| (p.line, p.col));
    list
}

/// Parse and validate scenario text; lints do not stop a scenario from loading. `file` is only
/// used in messages.
pub fn parse(text: &str, file: &str, origin: Origin) -> Result<Scenario, LoadError> {
    validate(text, file, origin)
        .map(|(s, _)| s)
        .map_err(|problems| LoadError::Invalid { problems })
}

/// The scenario and its lints, or every problem when there is an error.
fn validate(
    text: &str,
    file: &str,
    origin: Origin,
) -> Result<(Scenario, Vec<Problem>), Vec<Problem>> {
    let mut problems = Problems {
        file,
        text,
        list: Vec::new(),
    };
    control_characters(text, &mut problems);
    if !problems.list.is_empty() {
        return Err(problems.list);
    }
    let raw: RawScenario = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            problems.at(e.span().unwrap_or(0..0), e.message().trim().to_string());
            return Err(problems.list);
        }
    };
    let scenario = build(raw, text, origin, &mut problems);
    if problems.list.iter().any(|p| !p.warning) {
        Err(problems.list)
    } else {
        Ok((scenario, problems.list))
    }
}

/// A scenario's words reach the candidate's terminal, so none of them may be a character a
/// terminal acts on: not written as itself, nor as a TOML escape (`\u001b`, `\e`, `\b`, `\f`).
/// Newline and tab, and a Windows line end, are text.
fn control_characters(text: &str, p: &mut Problems) {
    use crate::screen::acted_on;
    let mut at = text.char_indices().peekable();
    while let Some((i, c)) = at.next() {
        let (shown, len) = match c {
            '\r' if at.peek().map(|&(_, n)| n) == Some('\n') => continue,
            '\\' => {
                let rest = &text[i + 1..];
                let hex = |n: usize| {
                    rest.get(1..1 + n)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32)
                        .map(|c| (c, n + 2))
                };
                let escaped = match rest.chars().next() {
                    Some('u') => hex(4),
                    Some('U') => hex(8),
                    Some('e') => Some(('\u{1b}', 2)),
                    Some('b') => Some(('\u{8}', 2)),
                    Some('f') => Some(('\u{c}', 2)),
                    _ => None,
                };
                // `\\` is a backslash: the character after it starts nothing.
                if rest.starts_with('\\') {
                    at.next();
                }
                match escaped {
                    Some((c, len)) if acted_on(c) => (c, len),
                    _ => continue,
                }
            }
            c if acted_on(c) => (c, c.len_utf8()),
            _ => continue,
        };
        p.at(
            i..i + len,
            format!(
                "control character {} (U+{:04X}): a terminal would act on it; write plain text",
                crate::screen::safe(&shown.to_string()),
                shown as u32
            ),
        );
    }
}

/// The one rule for ids: a scenario's, a fact's, the name part of a checkpoint's, and the one
/// `scenario new` is given, so that a scaffold it writes loads under the id it was asked for.
/// The reason reads on from the id's name ("scenario id 'X' must be ...").
pub fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err("must be lower-case letters, digits and '-'".into())
    }
}

fn build(raw: RawScenario, text: &str, origin: Origin, p: &mut Problems) -> Scenario {
    if let Err(why) = check_id(raw.id.get_ref()) {
        p.at(raw.id.span(), format!("id {why}"));
    }
    let (checkpoints, checkpoint_spans) = merge_checkpoints(raw.checkpoints, p);
    let (stages, stage_spans) = plan_stages(raw.stages, &checkpoints, p);
    let facts = hidden_facts(raw.facts, &checkpoints, p);
    let curveballs = place_curveballs(raw.curveballs, &checkpoints, p);
    let misconceptions = misconceptions(raw.misconceptions, p);
    let minutes = *raw.minutes.get_ref();
    if ![45, 60, 90].contains(&minutes) {
        p.at(
            raw.minutes.span(),
            format!("minutes is {minutes}; sessions are 45, 60 or 90 minutes"),
        );
    }
    if facts.len() > MAX_FACTS {
        p.at(
            p.key("[[facts]]"),
            format!(
                "{} hidden facts; a scenario may have at most {MAX_FACTS}",
                facts.len()
            ),
        );
    }
    let budget = raw.budget.and_then(|b| stage_budget(b, minutes, p));
    let task = super::task::coding_task(raw.task, raw.kind, &origin, p);

    let scenario = Scenario {
        id: raw.id.into_inner(),
        title: raw.title,
        kind: raw.kind,
        minutes,
        budget,
        prompt: raw.prompt.trim().to_string(),
        unplanned_answer: raw.unplanned_answer.trim().to_string(),
        persona: Persona {
            name: raw.persona.name,
            role: raw.persona.role,
            style: raw.persona.style,
            greeting: raw.persona.greeting,
            closing: raw.persona.closing,
            about: raw.persona.about,
            acknowledgements: raw.persona.acknowledgements,
        },
        facts,
        stages,
        checkpoints,
        curveballs,
        misconceptions,
        origin,
        hash: fnv1a(text),
        vocabulary: raw
            .vocabulary
            .iter()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
        task,
    };
    lint(&scenario, &stage_spans, &checkpoint_spans, p);
    scenario
}

/// The 37 framework checkpoints always exist; the file adds answers, cues and its own ones.
/// Returns them in stage order, with where each one the file names is written.
fn merge_checkpoints(
    raw: BTreeMap<Spanned<String>, RawCheckpoint>,
    p: &mut Problems,
) -> (Vec<Checkpoint>, BTreeMap<String, Range<usize>>) {
    let mut checkpoints: Vec<Checkpoint> = framework::CHECKPOINTS
        .iter()
        .map(|d| Checkpoint {
            id: d.id.to_string(),
            stage: d.stage,
            title: d.title.to_string(),
            weight: d.weight,
            cues: CueSet::new(d.cues),
            answer: None,
            core: true,
        })
        .collect();
    let mut checkpoint_spans: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for (key, rc) in raw {
        let id = key.get_ref().as_str();
        checkpoint_spans.insert(id.to_string(), key.span());
        for cue in &rc.cues {
            if let Some(why) = crate::cue::problem(cue) {
                p.at(key.span(), format!("checkpoint '{id}': {why}"));
            }
        }
        let Some((stage_id, name)) = id.split_once('.') else {
            p.at(
                key.span(),
                format!("checkpoint '{id}' must be named <stage>.<name>"),
            );
            continue;
        };
        let Some(stage) = Stage::from_id(stage_id) else {
            p.at(
                key.span(),
                format!("checkpoint '{id}' names an unknown stage '{stage_id}'"),
            );
            continue;
        };
        if let Err(why) = check_id(name) {
            p.at(
                key.span(),
                format!("checkpoint '{id}': the name after the stage {why}"),
            );
            continue;
        }
        if let Some(w) = rc.weight
            && (!(0.0..=5.0).contains(&w) || w.is_nan())
        {
            p.at(
                key.span(),
                format!("checkpoint '{id}': weight must be between 0 and 5"),
            );
        }
        match checkpoints.iter_mut().find(|c| c.id == id) {
            Some(c) => {
                c.cues.extend(&rc.cues);
                c.answer = rc.answer.filter(|a| !a.trim().is_empty());
                if let Some(t) = rc.title {
                    c.title = t;
                }
                if let Some(w) = rc.weight {
                    c.weight = w;
                }
            }
            None => {
                let Some(title) = rc.title else {
                    p.at(key.span(), format!("checkpoint '{id}' is not one of the framework's; a scenario's own checkpoint needs a title"));
                    continue;
                };
                if rc.cues.is_empty() {
                    p.at(
                        key.span(),
                        format!("checkpoint '{id}' has no cues, so nothing could ever cover it"),
                    );
                }
                checkpoints.push(Checkpoint {
                    id: id.to_string(),
                    stage,
                    title,
                    weight: rc.weight.unwrap_or(1.0),
                    cues: CueSet::new(&rc.cues),
                    answer: rc.answer,
                    core: false,
                });
            }
        }
    }
    checkpoints.sort_by_key(|c| c.stage);

    (checkpoints, checkpoint_spans)
}

/// The index of the checkpoint a probe or curveball follows, or a fact shows, reporting one
/// that does not exist.
fn after_checkpoint(
    checkpoints: &[Checkpoint],
    after: &Option<Spanned<String>>,
    p: &mut Problems,
) -> Option<usize> {
    let a = after.as_ref()?;
    let idx = checkpoints.iter().position(|c| c.id == *a.get_ref());
    if idx.is_none() {
        p.at(a.span(), format!("unknown checkpoint '{}'", a.get_ref()));
    }
    idx
}

/// Each stage's lines, and where its table is written, for the lints.
fn plan_stages(
    raw: BTreeMap<Spanned<String>, RawStage>,
    checkpoints: &[Checkpoint],
    p: &mut Problems,
) -> (StageMap<StagePlan>, StageMap<Option<Range<usize>>>) {
    let mut stages: StageMap<StagePlan> = Default::default();
    let mut stage_spans: StageMap<Option<Range<usize>>> = Default::default();
    for (key, rs) in raw {
        if let Some(stage) = Stage::from_id(key.get_ref()) {
            stage_spans[stage] = Some(key.span());
        }
        let Some(stage) = Stage::from_id(key.get_ref()) else {
            let ids: Vec<&str> = Stage::ALL.iter().map(|s| s.id()).collect();
            p.at(
                key.span(),
                format!(
                    "unknown stage '{}'; stages are {}",
                    key.get_ref(),
                    ids.join(", ")
                ),
            );
            continue;
        };
        let probes = rs
            .probes
            .into_iter()
            .map(|rp| {
                let after = after_checkpoint(checkpoints, &rp.after, p);
                if let Some(i) = after
                    && checkpoints[i].stage != stage
                {
                    let span = rp.after.as_ref().map_or(0..0, |a| a.span());
                    p.at(
                        span,
                        format!(
                            "probe in stage '{stage}' follows checkpoint '{}' of another stage",
                            checkpoints[i].id
                        ),
                    );
                }
                let when = rp.when.map(|w| {
                    for cue in w.get_ref() {
                        if let Some(why) = crate::cue::problem(cue) {
                            p.at(w.span(), format!("probe '{}': {why}", rp.text));
                        }
                    }
                    let cues = CueSet::new(w.get_ref());
                    if cues.cues.is_empty() {
                        p.at(
                            w.span(),
                            format!(
                                "probe '{}' has no `when` cues, so it is never asked",
                                rp.text
                            ),
                        );
                    }
                    cues
                });
                Probe {
                    names: named_in(checkpoints, &rp.text),
                    text: rp.text,
                    after,
                    when,
                }
            })
            .collect();
        stages[stage] = StagePlan {
            opening: rs.opening,
            probes,
            hints: rs.hints,
        };
    }
    (stages, stage_spans)
}

fn hidden_facts(raw: Vec<RawFact>, checkpoints: &[Checkpoint], p: &mut Problems) -> Vec<Fact> {
    let mut facts = Vec::new();
    for rf in raw {
        if let Err(why) = check_id(rf.id.get_ref()) {
            p.at(rf.id.span(), format!("fact id {why}"));
        }
        if facts.iter().any(|f: &Fact| f.id == *rf.id.get_ref()) {
            p.at(
                rf.id.span(),
                format!("duplicate fact id '{}'", rf.id.get_ref()),
            );
        }
        for cue in rf.cues.get_ref() {
            if let Some(why) = crate::cue::problem(cue) {
                p.at(rf.cues.span(), format!("fact '{}': {why}", rf.id.get_ref()));
            }
        }
        let cues = CueSet::new(rf.cues.get_ref());
        if cues.cues.is_empty() {
            p.at(
                rf.cues.span(),
                format!(
                    "fact '{}' has no cues, so no question could unlock it",
                    rf.id.get_ref()
                ),
            );
        }
        // Asking earns clarify checkpoints only, so that is all a fact may name.
        let checkpoint = match after_checkpoint(checkpoints, &rf.checkpoint, p) {
            Some(i) if checkpoints[i].stage != Stage::Clarify => {
                let span = rf.checkpoint.as_ref().map_or(0..0, |c| c.span());
                p.at(
                    span,
                    format!(
                        "fact '{}': checkpoint '{}' is a {} checkpoint; a question earns only clarify ones",
                        rf.id.get_ref(),
                        checkpoints[i].id,
                        checkpoints[i].stage.id()
                    ),
                );
                None
            }
            found => found,
        };
        facts.push(Fact {
            id: rf.id.into_inner(),
            cues,
            answer: rf.answer,
            questions: rf.questions,
            checkpoint,
        });
    }
    facts
}

fn place_curveballs(
    raw: Vec<RawCurveball>,
    checkpoints: &[Checkpoint],
    p: &mut Problems,
) -> Vec<Curveball> {
    let mut curveballs = Vec::new();
    for rc in raw {
        let Some(stage) = Stage::from_id(rc.stage.get_ref()) else {
            p.at(
                rc.stage.span(),
                format!("unknown stage '{}'", rc.stage.get_ref()),
            );
            continue;
        };
        let after = after_checkpoint(checkpoints, &rc.after, p);
        // It is thrown during its stage, so a checkpoint of another stage could only fire it
        // when that stage's ground comes up out of turn.
        if let (Some(i), Some(a)) = (after, &rc.after)
            && checkpoints[i].stage != stage
        {
            p.warn(
                a.span(),
                format!(
                    "curveball of stage '{stage}' follows '{}', a checkpoint of stage '{}'",
                    checkpoints[i].id, checkpoints[i].stage
                ),
            );
        }
        curveballs.push(Curveball {
            stage,
            after,
            names: named_in(checkpoints, &rc.text),
            text: rc.text,
        });
    }
    curveballs
}

fn misconceptions(raw: Vec<RawMisconception>, p: &mut Problems) -> Vec<Misconception> {
    let mut out: Vec<Misconception> = Vec::new();
    for rm in raw {
        let id = rm.id.get_ref();
        if let Err(why) = check_id(id) {
            p.at(rm.id.span(), format!("misconception id {why}"));
        }
        if out.iter().any(|m| m.id == *id) {
            p.at(rm.id.span(), format!("duplicate misconception id '{id}'"));
        }
        let Some(stage) = Stage::from_id(rm.stage.get_ref()) else {
            p.at(
                rm.stage.span(),
                format!("unknown stage '{}'", rm.stage.get_ref()),
            );
            continue;
        };
        for cue in rm.cues.get_ref().iter().chain(&rm.unless) {
            if let Some(why) = crate::cue::problem(cue) {
                p.at(rm.cues.span(), format!("misconception '{id}': {why}"));
            }
        }
        let cues = CueSet::new(rm.cues.get_ref());
        if cues.cues.is_empty() {
            p.at(
                rm.cues.span(),
                format!("misconception '{id}' has no cues, so no sentence could state it"),
            );
        }
        if rm.examples.get_ref().is_empty() {
            p.at(
                rm.examples.span(),
                format!("misconception '{id}' needs at least one example sentence"),
            );
        }
        let estimate = rm.estimate.and_then(|e| estimate(id, e, p));
        if estimate.is_none() && rm.pushback.contains("{said}") {
            p.at(
                rm.id.span(),
                format!("misconception '{id}': only an `estimate` has a number to put in {{said}}"),
            );
        }
        out.push(Misconception {
            estimate,
            id: rm.id.into_inner(),
            stage,
            title: rm.title,
            cues,
            unless: CueSet::new(&rm.unless),
            examples: rm.examples.into_inner(),
            pushback: rm.pushback,
            correction: rm.correction,
        });
    }
    out
}

/// An estimate's range, when both ends are one quantity in the same unit and `within` is a
/// factor of at least 1.
fn estimate(
    id: &str,
    raw: Spanned<RawEstimate>,
    p: &mut Problems,
) -> Option<crate::scenario::model::Estimate> {
    let span = raw.span();
    let raw = raw.into_inner();
    let one = |text: &str, p: &mut Problems| {
        let q = crate::quantity::parse(text);
        if q.is_none() {
            p.at(
                span.clone(),
                format!(
                    "misconception '{id}': estimate '{text}' is not one number (write \"2,000\", \"2.5 million\", \"40k\" or \"3 TB\")"
                ),
            );
        }
        q
    };
    let (low, high) = (one(&raw.low, p)?, one(&raw.high, p)?);
    let within = raw.within.unwrap_or(3.0);
    let problem = if low.unit != high.unit {
        Some("low and high must be in the same unit (both counts or both bytes)".to_string())
    } else if low.value > high.value {
        Some("low is above high".to_string())
    } else if !(1.0..=100.0).contains(&within) {
        Some(format!(
            "within must be a factor from 1 to 100, not {within}"
        ))
    } else {
        None
    };
    if let Some(why) = problem {
        p.at(span, format!("misconception '{id}': estimate: {why}"));
        return None;
    }
    Some(crate::scenario::model::Estimate {
        low: low.value,
        high: high.value,
        within,
        unit: low.unit,
    })
}

/// Minutes per stage then wrap-up, when they are in range and add up to the session's length.
fn stage_budget(b: Spanned<RawBudget>, minutes: u32, p: &mut Problems) -> Option<[f64; 9]> {
    let span = b.span();
    let b = b.into_inner();
    let all = [
        b.clarify,
        b.frame,
        b.data,
        b.features,
        b.model,
        b.training,
        b.evaluation,
        b.deployment,
        b.wrap_up,
    ];
    if all.iter().any(|m| !(0.0..=90.0).contains(m)) {
        p.at(span, "every budget must be between 0 and 90 minutes");
        return None;
    }
    if b.clarify == 0.0 {
        p.at(span, "clarify needs minutes: every interview opens with it");
        return None;
    }
    let sum: f64 = all.iter().sum();
    if (sum - minutes as f64).abs() > 0.01 {
        p.at(
            span,
            format!(
                "the stage budgets add up to {sum} minutes, but the scenario is {minutes} minutes"
            ),
        );
        return None;
    }
    Some(all)
}

/// At most this many hidden facts in one scenario.
const MAX_FACTS: usize = 100;

pub fn fnv1a(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
