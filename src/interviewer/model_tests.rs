//! The model-voiced interviewer's tests: the notes it sends, the guard on its words, faults.

use super::*;
use crate::framework::Stage;
use crate::interview::Interview;
use crate::interviewer::guard::question_of;
use crate::llm::{Completion, LlmError, LlmSection};
use crate::session::testing;

/// A model that says `reply`, in pieces of a few characters; it counts the pieces read
/// and keeps the last message it was sent.
struct Says(&'static str, usize, String);

impl Backend for Says {
    fn stream(
        &mut self,
        messages: &[Message],
        on_text: &mut dyn FnMut(&str) -> Flow,
    ) -> Result<Completion, LlmError> {
        self.2 = messages
            .last()
            .map(|m| m.content.clone())
            .unwrap_or_default();
        let chars: Vec<char> = self.0.chars().collect();
        let mut done = Completion::default();
        for piece in chars.chunks(3) {
            self.1 += 1;
            if on_text(&piece.iter().collect::<String>()) == Flow::Enough {
                done.cut = true;
                return Ok(done);
            }
        }
        Ok(done)
    }
    fn complete(
        &mut self,
        _: &[Message],
        _: Option<serde_json::Value>,
    ) -> Result<Completion, LlmError> {
        unreachable!("the interviewer only streams")
    }
}

/// A fraud interview in clarification, and the turn that probes it.
fn probing(reply: &'static str) -> (Said, String, String, usize) {
    let probe = Action::Probe {
        stage: Stage::Clarify,
        index: 0,
        curveball: false,
        press: false,
        quote: None,
    };
    turn(
        reply,
        "I want to understand who the users are first.",
        probe,
    )
}

/// A fraud interview in clarification after `candidate`, and the turn that does `action`,
/// said by a model that says `reply`: what was said, what was shown, the scripted line, and
/// the pieces of the stream read.
fn turn(reply: &'static str, candidate: &str, action: Action) -> (Said, String, String, usize) {
    let (said, shown, intent, model) = heard(reply, candidate, action);
    (said, shown, intent, model.1)
}

/// As `turn`, with the model as it was left: what it was sent among it.
fn heard(reply: &'static str, candidate: &str, action: Action) -> (Said, String, String, Says) {
    let mut iv = Interview::new(
        std::sync::Arc::new(crate::scenario::load("fraud").unwrap()),
        crate::interview::Mode::Interview,
        45,
    );
    testing::open(&mut iv);
    testing::answer(&mut iv, candidate, 30.0);
    let actions = [action];
    let req = TurnRequest {
        interview: &iv,
        actions: &actions,
        candidate: Some(candidate),
    };
    let config = LlmConfig::resolve(
        Some("http://127.0.0.1:9/v1"),
        Some("m"),
        &LlmSection::default(),
    )
    .unwrap()
    .unwrap();
    let mut scripted = Scripted::new(None).unwrap();
    let intent = scripted.lines(&req).unwrap();
    let model = Says(reply, 0, String::new());
    let mut llm = LlmInterviewer::new(model, scripted, config, None).unwrap();
    let mut shown = String::new();
    let said = llm.turn(&req, &mut |t| shown.push_str(t)).unwrap();
    (said, shown, intent, llm.backend)
}

/// The model is given the director's move to make, not only a line to reword: what the
/// follow-up is for and how far a fact goes, before the scripted line with the candidate's
/// quoted words. Never a model answer.
#[test]
fn the_model_writes_from_the_move_and_the_candidates_words() {
    let said = "I'd flag anything the model scores above a fixed threshold for review.";
    let dive = Action::DeepDive {
        stage: Stage::Clarify,
        checkpoint: "clarify.constraints".into(),
        angle: crate::interview::Angle::Failure,
        quote: said.into(),
    };
    let (_, _, intent, model) = heard("What breaks first?", said, dive);
    let notes = &model.2;
    let title = crate::framework::checkpoint("clarify.constraints")
        .unwrap()
        .title;
    assert!(
        notes.contains(&format!(
            "The move to make: Deepen their point, where the candidate {title}: probe its failure modes and how they would be detected."
        )),
        "{notes}"
    );
    assert!(intent.contains(said), "the example quotes them: {intent}");
    assert!(
        notes.ends_with(&format!("What to say next: {intent}")),
        "{notes}"
    );
    // A question the scenario has a fact for: the fact, and nothing beyond it.
    let fact = crate::scenario::load("fraud").unwrap().facts[0].clone();
    let ask = Action::AnswerFact {
        facts: vec![fact.id.clone()],
        repeat: false,
        turned_back: false,
    };
    let (_, _, _, model) = heard("Sure.", "How much data do we have?", ask);
    assert!(
        model
            .2
            .contains("Give them the fact below, and nothing beyond it.")
            && model
                .2
                .ends_with(&format!("What to say next: {}", fact.answer)),
        "{}",
        model.2
    );
    // A reply that did not take up the question: the move says so.
    let press = Action::Probe {
        stage: Stage::Clarify,
        index: 0,
        curveball: false,
        press: true,
        quote: None,
    };
    let (_, _, _, model) = heard("Back to it.", "I like pizza.", press);
    assert!(
        model
            .2
            .contains("Their reply missed your last question: steer them back to it."),
        "{}",
        model.2
    );
    // A model that reads the move out is cut where it starts, as for any of the notes.
    let (said, shown, _, _) = heard(
        "Deepen their point, where the candidate sets limits. What breaks?",
        said,
        Action::DeepDive {
            stage: Stage::Clarify,
            checkpoint: "clarify.constraints".into(),
            angle: crate::interview::Angle::Failure,
            quote: said.into(),
        },
    );
    assert!(!shown.contains("Deepen their point"), "{shown}");
    assert!(said.guarded.is_some(), "{shown}");
    for notes in [notes, &model.2] {
        let sc = crate::scenario::load("fraud").unwrap();
        for answer in sc.checkpoints.iter().filter_map(|c| c.answer.as_deref()) {
            assert!(!notes.contains(answer), "a model answer reached the model");
        }
    }
}

#[test]
fn a_line_that_opens_with_praise_is_never_shown_and_the_scripted_line_is() {
    let (said, shown, intent, _) = probing("Great answer, really thorough. What next?");
    assert_eq!(shown, intent);
    assert_eq!(said.text, intent);
    assert!(matches!(said.guarded, Some((LineFault::Praise { .. }, _))));
}

#[test]
fn an_invented_number_stops_the_line_where_it_starts_and_the_stream_is_closed() {
    let (said, shown, _, pieces) = probing(
        "Fair enough. Fraud losses fell by 37% last quarter. What would you ask next? And more words after it.",
    );
    assert!(!shown.contains("37%"), "{shown}");
    assert!(shown.starts_with("Fair enough. "), "{shown}");
    assert!(
        said.text.ends_with('?'),
        "the turn still asks its question: {}",
        said.text
    );
    assert_eq!(shown, said.text, "what is logged is what was shown");
    assert!(
        matches!(said.guarded, Some((LineFault::InventedNumber { ref number }, _)) if number == "37%")
    );
    assert!(
        pieces < 30,
        "the stream was read on past the fault: {pieces} pieces"
    );
}

#[test]
fn a_probe_the_model_forgot_to_ask_is_asked_in_the_scripted_words() {
    let (said, _, intent, _) = probing("Fair enough. Let us keep going with this.");
    let q = question_of(&intent).unwrap();
    assert_eq!(
        said.text,
        format!("Fair enough. Let us keep going with this. {q}")
    );
    assert_eq!(said.guarded.map(|g| g.0), Some(LineFault::NoQuestion));
}

/// Asked for a fact, a small model may talk about something else: the line it said stands,
/// and the fact is told after it in the scenario's words.
#[test]
fn a_fact_the_model_left_out_is_told_in_the_scenario_words() {
    let ask = Action::AnswerFact {
        facts: vec!["latency".into()],
        repeat: false,
        turned_back: false,
    };
    let question = "What is the latency budget for a decision?";
    let (said, shown, _, _) = turn(
        "Thanks for asking. Let us keep going.",
        question,
        ask.clone(),
    );
    let sc = crate::scenario::load("fraud").unwrap();
    let answer = &sc.facts.iter().find(|f| f.id == "latency").unwrap().answer;
    assert_eq!(
        said.text,
        format!("Thanks for asking. Let us keep going. {answer}")
    );
    assert_eq!(shown, said.text);
    assert_eq!(said.guarded.map(|g| g.0), Some(LineFault::FactUntold));
    // A line that tells it in its own words is left alone.
    let (said, _, _, _) = turn(
        "Decisions must come back within 100 milliseconds at the 99th percentile.",
        question,
        ask,
    );
    assert_eq!(said.guarded, None, "{}", said.text);
}

#[test]
fn a_good_line_is_said_whole_and_unguarded() {
    let (said, shown, _, _) = probing("Fair enough. Who would be using this system day to day?");
    assert_eq!(
        said.text,
        "Fair enough. Who would be using this system day to day?"
    );
    assert_eq!(shown, said.text);
    assert_eq!(said.guarded, None);
}
