//! What one action's line is made from: the template data of a director's action, filled with
//! the scenario's words. The scripted interviewer renders its line from it and a model is told
//! its move from the same data (`llm-move.hbs`), so the two never say different things.

use super::TurnRequest;
use crate::framework::{InterviewType, Stage};
use crate::interview::{Action, Interview, Reason};
use serde_json::{Value, json};

/// Everything one action's line is made from: the scripted line, and the move a model is told.
pub struct LineRequest<'a> {
    pub interview: &'a Interview,
    pub action: &'a Action,
    /// The candidate's last words, as data. Never rendered as a template.
    pub candidate: Option<&'a str>,
    /// The action said right after this one in the same turn, if any.
    pub then: Option<&'a Action>,
    /// Whether this line opens the turn: only the opening line may acknowledge the answer, or a
    /// turn of two lines acknowledges it twice.
    pub opens: bool,
}

/// A turn's actions as line requests, in order. None opens the turn: only the caller knows
/// which line is the first said.
pub fn requests<'a>(req: &'a TurnRequest<'a>) -> impl Iterator<Item = LineRequest<'a>> {
    (req.actions.iter().enumerate()).map(|(i, action)| LineRequest {
        interview: req.interview,
        action,
        candidate: req.candidate,
        then: req.actions.get(i + 1),
        opens: false,
    })
}

/// Whether the line answers a candidate's turn that earned any evidence. A line that follows
/// the interviewer's own (after /skip or /hint) answers nobody, so it acknowledges nothing.
fn last_answer_showed_something(iv: &Interview) -> bool {
    let Some(last) = iv
        .turns
        .last()
        .filter(|t| t.role == crate::interview::Role::Candidate)
    else {
        return false;
    };
    iv.evidence
        .iter()
        .any(|ev| ev.iter().any(|e| e.turn == last.n))
}

fn reason_id(r: &Reason) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// The template data for one action. Every key is always present (strict mode), null when unused.
pub fn data(req: &LineRequest) -> Value {
    let iv = req.interview;
    let sc = &iv.scenario;
    let persona =
        json!({"name": sc.persona.name, "role": sc.persona.role, "greeting": sc.persona.greeting});
    // An acknowledgement answers something worth acknowledging: a last answer that the reading
    // credited. After an off-topic, empty or wrong answer, the next question comes bare.
    let ack = if !req.opens
        || sc.persona.acknowledgements.is_empty()
        || !last_answer_showed_something(iv)
    {
        Value::Null
    } else {
        json!(sc.persona.acknowledgements[iv.turns.len() % sc.persona.acknowledgements.len()])
    };
    let mut data = json!({
        "persona": persona,
        "kind": req.action.kind(),
        // What a follow-up is about, as a checkpoint's title ("names the input signals").
        "checkpoint": null,
        "scenario": {"id": sc.id, "title": sc.title, "prompt": sc.prompt, "kind": sc.kind.id()},
        "candidate": req.candidate,
        "ack": ack,
        "first": false, "opening": null, "reason": null, "facts": [], "repeat": false, "turned_back": false,
        "unplanned": sc.unplanned_answer, "probe": null, "press": false, "hint": null, "gap": null, "goal": null, "quote": null, "pushback": null, "angle": null,
        "closing": sc.persona.closing.clone().unwrap_or_else(|| "Thanks, that's all for today.".into()),
        // A second question at the close is not told the same words again.
        "about_again": iv.closing_answers > 0,
        "about": sc.persona.about.clone().unwrap_or_else(|| format!(
            "Good question. I'm {}, {}; the team works on problems much like this one. The recruiter will be in touch about the next steps.",
            sc.persona.name, sc.persona.role
        )),
    });
    let set = |data: &mut Value, k: &str, v: Value| data[k] = v;
    match req.action {
        Action::AdvanceStage { from, to, reason } => {
            let plan = sc.stage(*to);
            // The code stage's opening asks for code; code already submitted is talked through.
            let written = sc.kind == InterviewType::CodingMl
                && *to == Stage::Model
                && iv.submission().is_some();
            let opening = match written {
                true => "You've already submitted it, so walk me through the code: how it works, and why you wrote it that way.".to_string(),
                false => plan.opening.clone().unwrap_or_else(|| {
                    format!("Let's talk about {}.", sc.stage_name(*to).to_lowercase())
                }),
            };
            // When a follow-up question comes next, the stage's opening would ask what was just answered.
            let followed = matches!(
                req.then,
                Some(Action::Probe { .. } | Action::DeepDive { .. })
            );
            set(
                &mut data,
                "first",
                json!(from.is_none() && *reason == Reason::Start),
            );
            set(
                &mut data,
                "opening",
                if followed {
                    Value::Null
                } else {
                    json!(opening)
                },
            );
            set(&mut data, "reason", reason_id(reason));
        }
        Action::AnswerFact {
            facts,
            repeat,
            turned_back,
        } => {
            let answers: Vec<&str> = facts
                .iter()
                .filter_map(|id| sc.facts.iter().find(|f| f.id == *id))
                .map(|f| f.answer.as_str())
                .collect();
            set(&mut data, "facts", json!(answers));
            set(&mut data, "repeat", json!(repeat));
            set(&mut data, "turned_back", json!(turned_back));
        }
        Action::Probe {
            stage,
            index,
            curveball,
            press,
            quote,
        } => {
            set(&mut data, "press", json!(press));
            set(&mut data, "quote", json!(quote));
            let probe = (sc.stage(*stage).probes.get(*index)).filter(|_| !*curveball);
            let text = match curveball {
                true => sc.curveballs.get(*index).map(|c| c.text.clone()),
                false => probe.map(|p| p.text.clone()),
            };
            let after = probe
                .and_then(|p| p.after)
                .map(|k| &sc.checkpoints[k].title);
            set(&mut data, "checkpoint", json!(after));
            set(
                &mut data,
                "probe",
                json!(text.unwrap_or_else(|| "Can you go deeper on that?".into())),
            );
        }
        Action::Hint {
            stage,
            level,
            checkpoint,
            ..
        } => {
            // The director names a gap once the stage's own hints would go over covered ground.
            let hints = &sc.stage(*stage).hints;
            let hint = (checkpoint.is_none())
                .then(|| hints.get(level.saturating_sub(1)).cloned())
                .flatten();
            // A checkpoint's title says what the candidate does ("names the input signals").
            let gap = checkpoint
                .as_deref()
                .and_then(|id| sc.checkpoints.iter().find(|c| c.id == id))
                .map(|c| c.title.clone());
            set(&mut data, "hint", json!(hint));
            set(&mut data, "gap", json!(gap));
            set(&mut data, "goal", json!(sc.stage_goal(*stage)));
        }
        Action::Redirect { quote } => set(&mut data, "quote", json!(quote)),
        Action::WrapUp { reason } | Action::Debrief { reason } => {
            set(&mut data, "reason", reason_id(reason))
        }
        Action::AnswerAbout => {}
        Action::DeepDive {
            angle,
            quote,
            checkpoint,
            ..
        } => {
            let title = sc.checkpoints.iter().find(|c| c.id == *checkpoint);
            set(&mut data, "checkpoint", json!(title.map(|c| &c.title)));
            set(&mut data, "quote", json!(quote));
            set(&mut data, "angle", json!(angle.id()));
        }
        Action::CodeReview {
            passed,
            total,
            failing,
            broken,
        } => {
            set(&mut data, "passed", json!(passed));
            set(&mut data, "total", json!(total));
            set(&mut data, "broken", json!(broken));
            set(&mut data, "failing", json!(failing.join(", ")));
            set(&mut data, "first_failing", json!(failing.first()));
        }
        Action::PushBack {
            misconception,
            quote,
        } => {
            let text = sc
                .misconceptions
                .iter()
                .find(|m| m.id == *misconception)
                .map(|m| m.pushback_for(quote));
            set(&mut data, "quote", json!(quote));
            set(
                &mut data,
                "pushback",
                json!(text.unwrap_or_else(|| "Are you sure about that?".into())),
            );
        }
    }
    data
}
