//! The interviewer that needs no model: each action's line is a template filled with the
//! scenario's own words, so a session without a model still reads like an interview.

use super::line::{self, LineRequest};
use super::{Interviewer, Said, TurnRequest, templates};
use anyhow::{Context, Result};
use handlebars::Handlebars;
use std::path::Path;

/// The templates every build carries; a user prompts folder overrides them by file name.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "scripted-advance-stage.hbs",
        include_str!("../../prompts/scripted-advance-stage.hbs"),
    ),
    (
        "scripted-answer-fact.hbs",
        include_str!("../../prompts/scripted-answer-fact.hbs"),
    ),
    (
        "scripted-probe.hbs",
        include_str!("../../prompts/scripted-probe.hbs"),
    ),
    (
        "scripted-hint.hbs",
        include_str!("../../prompts/scripted-hint.hbs"),
    ),
    (
        "scripted-redirect.hbs",
        include_str!("../../prompts/scripted-redirect.hbs"),
    ),
    (
        "scripted-wrap-up.hbs",
        include_str!("../../prompts/scripted-wrap-up.hbs"),
    ),
    (
        "scripted-answer-about.hbs",
        include_str!("../../prompts/scripted-answer-about.hbs"),
    ),
    (
        "scripted-deep-dive.hbs",
        include_str!("../../prompts/scripted-deep-dive.hbs"),
    ),
    (
        "scripted-push-back.hbs",
        include_str!("../../prompts/scripted-push-back.hbs"),
    ),
    (
        "scripted-debrief.hbs",
        include_str!("../../prompts/scripted-debrief.hbs"),
    ),
    (
        "scripted-code-review.hbs",
        include_str!("../../prompts/scripted-code-review.hbs"),
    ),
];

pub struct Scripted {
    hb: Handlebars<'static>,
}

impl Scripted {
    pub fn new(user_prompts: Option<&Path>) -> Result<Scripted> {
        Ok(Scripted {
            hb: templates(user_prompts, TEMPLATES)?,
        })
    }
}

impl Scripted {
    /// The whole turn: each action's line, joined.
    pub fn lines(&mut self, req: &TurnRequest) -> Result<String> {
        let mut parts: Vec<String> = Vec::new();
        for mut one in line::requests(req) {
            // A line before it that says nothing (an opening left out) leaves it the first.
            one.opens = parts.iter().all(|p| p.is_empty());
            parts.push(self.line(&one)?);
        }
        Ok(parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" "))
    }
}

impl Interviewer for Scripted {
    fn name(&self) -> String {
        "scripted (no model configured)".into()
    }

    fn turn(&mut self, req: &TurnRequest, show: &mut dyn FnMut(&str)) -> Result<Said> {
        let text = self.lines(req)?;
        show(&text);
        Ok(Said {
            text,
            ..Said::default()
        })
    }
}

impl Scripted {
    pub fn line(&mut self, req: &LineRequest) -> Result<String> {
        let name = format!("scripted-{}.hbs", req.action.kind());
        let data = line::data(req);
        let text = self
            .hb
            .render(&name, &data)
            .with_context(|| format!("rendering prompt template {name}"))?;
        Ok(tidy(&text))
    }
}

/// Collapse the blank runs templates leave behind, keep paragraph breaks.
pub(super) fn tidy(text: &str) -> String {
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    paragraphs.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Stage;
    use crate::interview::{Action, Interview, Mode, Reason};
    use crate::scenario;
    use std::sync::Arc;

    fn render(iv: &Interview, action: &Action, candidate: Option<&str>) -> String {
        let mut s = Scripted::new(None).unwrap();
        s.line(&LineRequest {
            interview: iv,
            action,
            candidate,
            then: None,
            opens: true,
        })
        .unwrap()
    }

    #[test]
    fn every_action_renders() {
        let mut iv = Interview::new(
            Arc::new(scenario::load("fraud").unwrap()),
            Mode::Interview,
            60,
        );
        let open = crate::session::testing::open(&mut iv);
        let first = render(&iv, &open[0], None);
        assert!(first.starts_with("Hi, I'm Maya."), "{first}");
        assert!(
            first.contains("rules engine") && first.contains("what would you like to know"),
            "{first}"
        );
        let (_, a) = crate::session::testing::answer(&mut iv, "What's the latency budget?", 5.0);
        assert!(render(&iv, &a[0], None).contains("100 milliseconds"));
        let (_, a) =
            crate::session::testing::answer(&mut iv, "What's the colour of the logo?", 6.0);
        assert!(render(&iv, &a[0], None).contains("Make a reasonable assumption"));
        for action in [
            Action::Hint {
                stage: crate::framework::Stage::Clarify,
                level: 9,
                checkpoint: Some("clarify.scale".into()),
                offered: false,
            },
            Action::WrapUp {
                reason: Reason::Time,
            },
            Action::Debrief {
                reason: Reason::Ended,
            },
        ] {
            assert!(!render(&iv, &action, None).is_empty());
        }
        let gap = render(
            &iv,
            &Action::Hint {
                stage: crate::framework::Stage::Clarify,
                level: 9,
                checkpoint: Some("clarify.scale".into()),
                offered: false,
            },
            None,
        );
        assert!(gap.contains("asks about users, request rates"), "{gap}");
    }

    #[test]
    fn an_acknowledgement_follows_only_an_answer_that_showed_something() {
        let mut iv = Interview::new(
            Arc::new(scenario::load("fraud").unwrap()),
            Mode::Interview,
            60,
        );
        crate::session::testing::open(&mut iv);
        let acks = iv.scenario.persona.acknowledgements.clone();
        let probe = Action::Probe {
            stage: crate::framework::Stage::Clarify,
            index: 0,
            curveball: false,
            press: false,
            quote: None,
        };
        let starts_with_ack = |line: &str| acks.iter().any(|a| line.starts_with(a.as_str()));
        crate::session::testing::observe(&mut iv, "My cat is on the keyboard, sorry.", 5.0);
        let after_nothing = render(&iv, &probe, None);
        assert!(!starts_with_ack(&after_nothing), "{after_nothing}");
        crate::session::testing::observe(
            &mut iv,
            "I'll assume the business goal is to cut fraud losses without declining good customers.",
            20.0,
        );
        let after_substance = render(&iv, &probe, None);
        assert!(starts_with_ack(&after_substance), "{after_substance}");
        // Once the interviewer has spoken since (a /skip, a /hint), the next line answers
        // nobody and acknowledges nothing.
        let said = iv.turns.len() + 1;
        let phase = iv.phase;
        crate::session::testing::record(
            &mut iv,
            crate::interview::Event::Turn {
                n: said,
                role: crate::interview::Role::Interviewer,
                text: "What would you like to know?".into(),
                at: 21.0,
                phase,
            },
        );
        let after_own_line = render(&iv, &probe, None);
        assert!(!starts_with_ack(&after_own_line), "{after_own_line}");
        crate::session::testing::observe(
            &mut iv,
            "I'll assume the business goal is to cut fraud losses without declining good customers.",
            30.0,
        );
        // A turn of two lines (an answer, then the close) acknowledges once, at its start.
        let actions = [
            Action::AnswerFact {
                facts: vec![iv.scenario.facts[0].id.clone()],
                repeat: false,
                turned_back: false,
            },
            Action::WrapUp {
                reason: Reason::Candidate,
            },
        ];
        let turn = Scripted::new(None)
            .unwrap()
            .lines(&crate::interviewer::TurnRequest {
                interview: &iv,
                actions: &actions,
                candidate: None,
            })
            .unwrap();
        // The answer tells a fact, so no acknowledgement opens the turn; none may follow it.
        assert!(
            !acks.iter().any(|a| turn.contains(&format!(". {a}"))),
            "{turn}"
        );
        assert!(turn.contains("any questions for me?"), "{turn}");
    }

    /// A coding round's close asks about the solution, not a design.
    #[test]
    fn a_coding_round_closes_on_the_solution() {
        for (id, wanted) in [
            ("coding-pr-auc", "walk me through your solution"),
            ("fraud", "summary of your design"),
        ] {
            let iv = Interview::new(Arc::new(scenario::load(id).unwrap()), Mode::Interview, 45);
            let line = render(
                &iv,
                &Action::WrapUp {
                    reason: crate::interview::Reason::Time,
                },
                None,
            );
            assert!(line.contains(wanted), "{id}: {line}");
        }
    }

    /// A coding round has no model to choose: a jump ahead is sent back to the inputs.
    #[test]
    fn a_coding_round_is_steered_back_to_its_inputs_not_to_a_model() {
        for (id, wanted) in [
            (
                "coding-ndcg",
                "pin down about the inputs and the edge cases",
            ),
            ("fraud", "Before choosing a model"),
        ] {
            let iv = Interview::new(Arc::new(scenario::load(id).unwrap()), Mode::Interview, 45);
            let quote = "sort by score".to_string();
            let line = render(&iv, &Action::Redirect { quote }, None);
            assert!(line.contains(wanted), "{id}: {line}");
        }
    }

    /// Code submitted before the code stage is talked through there, not asked for again.
    #[test]
    fn code_submitted_early_is_not_asked_for_again() {
        let mut iv = Interview::new(
            Arc::new(scenario::load("coding-pr-auc").unwrap()),
            Mode::Interview,
            45,
        );
        crate::session::testing::open(&mut iv);
        let advance = Action::AdvanceStage {
            from: Some(Stage::Clarify),
            to: Stage::Model,
            reason: Reason::Candidate,
        };
        assert!(render(&iv, &advance, None).contains("write it"));
        let at = iv.now;
        let run = crate::coding::CodeRun {
            suite: crate::coding::Suite::Hidden,
            passed: 14,
            total: 14,
            failed: vec![],
            ended: "finished".into(),
            stopped: false,
            load_error: None,
            shape: None,
            source: String::new(),
        };
        crate::session::testing::record(&mut iv, crate::interview::Event::Code { at, run });
        let line = render(&iv, &advance, None);
        assert!(!line.contains("write it"), "{line}");
        assert!(line.contains("walk me through the code"), "{line}");
    }

    /// A second question at the close gets its own answer, not the first one word for word.
    #[test]
    fn a_second_question_at_the_close_is_not_told_the_first_answer_again() {
        let mut iv = Interview::new(
            Arc::new(scenario::load("fraud").unwrap()),
            Mode::Interview,
            60,
        );
        crate::session::testing::open(&mut iv);
        let first = render(&iv, &Action::AnswerAbout, None);
        crate::session::testing::act(&mut iv, &Action::AnswerAbout, 10.0);
        let second = render(&iv, &Action::AnswerAbout, None);
        assert!(first.contains("team"), "{first}");
        assert_ne!(first, second);
        assert!(!second.contains(&first), "{second}");
    }

    #[test]
    fn candidate_text_is_data_not_template() {
        let iv = Interview::new(
            Arc::new(scenario::load("fraud").unwrap()),
            Mode::Interview,
            60,
        );
        let quote = "{{scenario.prompt}} and {{#each x}}y{{/each}} <b>&</b>";
        let line = render(
            &iv,
            &Action::Redirect {
                quote: quote.into(),
            },
            Some(quote),
        );
        assert!(line.contains(quote), "{line}");
    }

    #[test]
    fn a_user_template_overrides_by_name_and_bad_ones_say_which() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("scripted-probe.hbs"), "PROBE: {{probe}}").unwrap();
        let iv = Interview::new(
            Arc::new(scenario::load("fraud").unwrap()),
            Mode::Interview,
            60,
        );
        let mut s = Scripted::new(Some(dir.path())).unwrap();
        let a = Action::Probe {
            stage: crate::framework::Stage::Data,
            index: 0,
            curveball: false,
            press: false,
            quote: None,
        };
        let line = s
            .line(&LineRequest {
                interview: &iv,
                action: &a,
                candidate: None,
                then: None,
                opens: true,
            })
            .unwrap();
        assert!(line.starts_with("PROBE: Chargebacks"), "{line}");
        std::fs::write(dir.path().join("scripted-hint.hbs"), "{{#if}").unwrap();
        let err = format!("{:#}", Scripted::new(Some(dir.path())).err().unwrap());
        assert!(err.contains("scripted-hint.hbs"), "{err}");
    }
}
