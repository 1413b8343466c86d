//! The director's rules, each driven through a memory session.
use super::*;
use crate::interview::{Angle, Interview, Mode};
use crate::scenario;
use std::sync::Arc;

fn fresh(mode: Mode) -> Interview {
    let mut iv = Interview::new(Arc::new(scenario::load("fraud").unwrap()), mode, 60);
    crate::session::testing::open(&mut iv);
    iv
}

fn kinds(actions: &[Action]) -> Vec<&'static str> {
    actions.iter().map(|a| a.kind()).collect()
}

#[test]
fn starts_in_clarify() {
    let iv = fresh(Mode::Interview);
    assert_eq!(iv.phase, Phase::Stage(Stage::Clarify));
}

#[test]
fn questions_get_facts_and_repeats_are_marked() {
    let mut iv = fresh(Mode::Interview);
    let (_, a) =
        crate::session::testing::answer(&mut iv, "What's the latency budget for a decision?", 10.0);
    assert_eq!(
        a,
        vec![Action::AnswerFact {
            facts: vec!["latency".into()],
            repeat: false,
            turned_back: false,
        }]
    );
    let (_, a) =
        crate::session::testing::answer(&mut iv, "Sorry, what was the latency budget again?", 20.0);
    assert_eq!(
        a,
        vec![Action::AnswerFact {
            facts: vec!["latency".into()],
            repeat: true,
            turned_back: false,
        }]
    );
    let (_, a) = crate::session::testing::answer(&mut iv, "What colour is the office?", 30.0);
    assert_eq!(
        a,
        vec![Action::AnswerFact {
            facts: vec![],
            repeat: false,
            turned_back: false,
        }]
    );
}

/// A question that asks the interviewer to judge or explain what is the candidate's to answer
/// is asked back; a question about the problem that no fact answers is told to assume.
#[test]
fn a_question_asking_the_interviewers_judgement_is_turned_back() {
    let mut iv = fresh(Mode::Interview);
    for (question, turned) in [
        ("Is PR-AUC basically the same as ROC-AUC for this?", true),
        (
            "Do you think gradient boosting would be overkill here?",
            true,
        ),
        (
            "Would it be better to assume the system only has to cover one country?",
            false,
        ),
        ("What colour is the office?", false),
    ] {
        let (_, a) = crate::session::testing::answer(&mut iv, question, 10.0);
        let [
            Action::AnswerFact {
                facts, turned_back, ..
            },
        ] = a.as_slice()
        else {
            panic!("{question}: {a:?}");
        };
        assert!(facts.is_empty(), "{question}: {facts:?}");
        assert_eq!(*turned_back, turned, "{question}");
    }
}

#[test]
fn only_new_facts_are_told_when_old_and_new_are_asked() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::answer(&mut iv, "What's the latency budget?", 10.0);
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "What's the latency again, and how do we get labels?",
        20.0,
    );
    assert_eq!(
        a,
        vec![Action::AnswerFact {
            facts: vec!["labels".into()],
            repeat: false,
            turned_back: false,
        }]
    );
}

#[test]
fn jumping_to_a_model_first_is_redirected() {
    let mut iv = fresh(Mode::Interview);
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "I'd train an XGBoost model on the transaction features.",
        10.0,
    );
    match &a[..] {
        [Action::Redirect { quote }] => assert!(quote.contains("XGBoost")),
        other => panic!("expected a redirect, got {other:?}"),
    }
    assert_eq!(iv.phase, Phase::Stage(Stage::Clarify));
}

#[test]
fn a_model_after_clarifying_is_not_redirected() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::answer(
        &mut iv,
        "What's the business goal, and how do we measure success?",
        10.0,
    );
    crate::session::testing::answer(
        &mut iv,
        "What's the latency requirement, and how many transactions per second?",
        20.0,
    );
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "Then I'd start from a logistic regression baseline and move to XGBoost.",
        30.0,
    );
    assert!(!kinds(&a).contains(&"redirect"), "{a:?}");
}

#[test]
fn stuck_candidates_get_hints_of_rising_strength() {
    let mut iv = fresh(Mode::Interview);
    let (_, a) = crate::session::testing::answer(&mut iv, "I don't know.", 10.0);
    assert_eq!(
        a,
        vec![Action::Hint {
            stage: Stage::Clarify,
            level: 1,
            checkpoint: None,
            offered: false,
        }]
    );
    let (_, a) = crate::session::testing::answer(&mut iv, "", 20.0);
    assert_eq!(
        a,
        vec![Action::Hint {
            stage: Stage::Clarify,
            level: 2,
            checkpoint: None,
            offered: false,
        }]
    );
    crate::session::testing::answer(&mut iv, "no idea", 30.0);
    let (_, a) = crate::session::testing::answer(&mut iv, "not sure", 40.0);
    // Past the scenario's three hints, the hint names the heaviest gap.
    assert_eq!(
        a,
        vec![Action::Hint {
            stage: Stage::Clarify,
            level: 4,
            checkpoint: Some("clarify.business-objective".into()),
            offered: false,
        }]
    );
    let (_, a) = crate::session::testing::answer(&mut iv, "pass", 50.0);
    assert_eq!(kinds(&a), vec!["advance-stage"]);
}

/// Once the candidate has shown part of a stage, even the first hint names what is still
/// missing: the stage's own hints speak of all of it and would ask again for what was said.
#[test]
fn a_hint_in_a_begun_stage_names_its_biggest_gap() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::answer(
        &mut iv,
        "What is the business goal here: fewer fraud losses, or fewer good customers blocked?",
        10.0,
    );
    let shown: Vec<usize> = (0..iv.scenario.checkpoints.len())
        .filter(|i| iv.covered(*i))
        .collect();
    assert!(
        !shown.is_empty(),
        "the question should show a clarify checkpoint"
    );
    let (_, a) = crate::session::testing::answer(&mut iv, "I don't know.", 20.0);
    let [
        Action::Hint {
            level: 1,
            checkpoint: Some(gap),
            ..
        },
    ] = a.as_slice()
    else {
        panic!("expected a first hint naming a gap, got {a:?}");
    };
    let gap = iv.scenario.checkpoint_index(gap).unwrap();
    assert_eq!(iv.scenario.checkpoints[gap].stage, Stage::Clarify);
    assert!(
        !shown.contains(&gap),
        "the hint asks again for what was shown"
    );
}

#[test]
fn two_dry_turns_earn_a_hint_one_in_coach_mode() {
    let mut iv = fresh(Mode::Interview);
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "Well, it is an interesting problem for the company to think about.",
        10.0,
    );
    assert_ne!(kinds(&a), vec!["hint"]);
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "Yes, there is a lot to consider here, many aspects.",
        20.0,
    );
    assert_eq!(kinds(&a), vec!["hint"]);

    let mut iv = fresh(Mode::Coach);
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "Well, it is an interesting problem for the company to think about.",
        10.0,
    );
    assert_eq!(kinds(&a), vec!["hint"]);
}

#[test]
fn a_just_covered_checkpoint_with_a_probe_is_probed() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::act(
        &mut iv,
        &Action::AdvanceStage {
            from: Some(Stage::Clarify),
            to: Stage::Data,
            reason: Reason::Skip,
        },
        0.0,
    );
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "Labels come from chargebacks, and they arrive late.",
        10.0,
    );
    assert_eq!(
        a,
        vec![Action::Probe {
            stage: Stage::Data,
            index: 0,
            curveball: false,
            press: false,
            quote: Some("Labels come from chargebacks, and they arrive late".into()),
        }]
    );
    // The answer to the probe counts as answered.
    crate::session::testing::answer(
        &mut iv,
        "Recent weeks are under-labelled, so I'd only train on data older than 60 days and treat reviews as early labels.",
        40.0,
    );
    assert_eq!(iv.follow_up_tally(Some(Stage::Data)).answered, 1);
}

#[test]
fn stages_move_on_time() {
    let mut iv = fresh(Mode::Interview);
    let over = iv.budget.stage(Stage::Clarify) * 2.0 + 1.0;
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "I think that this is a problem worth discussing in some detail now.",
        over,
    );
    assert_eq!(
        a,
        vec![Action::AdvanceStage {
            from: Some(Stage::Clarify),
            to: Stage::Frame,
            reason: Reason::Time
        }]
    );
    let late = iv.budget.wrap_up_at() + 1.0;
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "It's a binary classification problem with a fraud probability as output.",
        late,
    );
    assert_eq!(
        a,
        vec![Action::WrapUp {
            reason: Reason::Time
        }]
    );
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "To sum up: rules baseline, boosted trees, shadow test, weekly retraining.",
        late + 30.0,
    );
    assert_eq!(kinds(&a), vec!["debrief"]);
    assert_eq!(iv.phase, Phase::Ended);
}

#[test]
fn follows_a_candidate_who_moves_ahead() {
    let mut iv = fresh(Mode::Interview);
    let data = Action::AdvanceStage {
        from: Some(Stage::Clarify),
        to: Stage::Data,
        reason: Reason::Skip,
    };
    crate::session::testing::act(&mut iv, &data, 0.0);
    crate::session::testing::answer(
        &mut iv,
        "The sources are the authorization logs and the chargeback table.",
        10.0,
    );
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "For features I'd use velocity counts in the last hour, the ratio of amount to the card's average, and one-hot encoded merchant category.",
        20.0,
    );
    assert_eq!(
        a,
        vec![
            Action::AdvanceStage {
                from: Some(Stage::Data),
                to: Stage::Features,
                reason: Reason::Candidate
            },
            Action::Probe {
                stage: Stage::Features,
                index: 0,
                curveball: false,
                press: false,
                // The probe builds on the candidate's own words.
                quote: Some("For features I'd use velocity counts in the last hour".into()),
            },
        ]
    );
}

#[test]
fn a_passing_mention_of_a_far_stage_is_not_followed() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::answer(
        &mut iv,
        "What is the business goal, and how do we measure success?",
        10.0,
    );
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "So we'd judge it by an A/B test with a holdout and revenue saved, then monitor drift and retrain weekly.",
        20.0,
    );
    assert!(
        !a.iter()
            .any(|x| matches!(x, Action::AdvanceStage { to, .. } if *to > Stage::Frame)),
        "{a:?}"
    );
}

#[test]
fn commands_hint_skip_end() {
    let mut iv = fresh(Mode::Interview);
    assert_eq!(
        kinds(&crate::session::testing::request(&mut iv, Request::Hint)),
        vec!["hint"]
    );
    assert_eq!(iv.stats[Stage::Clarify].hints, 1);
    assert_eq!(
        kinds(&crate::session::testing::request(&mut iv, Request::Skip)),
        vec!["advance-stage"]
    );
    assert_eq!(iv.phase, Phase::Stage(Stage::Frame));
    assert_eq!(
        kinds(&crate::session::testing::request(&mut iv, Request::End)),
        vec!["debrief"]
    );
    assert!(crate::session::testing::request(&mut iv, Request::Hint).is_empty());
}

#[test]
fn the_last_stage_advances_into_wrap_up() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::act(
        &mut iv,
        &Action::AdvanceStage {
            from: None,
            to: Stage::Deployment,
            reason: Reason::Skip,
        },
        0.0,
    );
    assert_eq!(
        crate::session::testing::request(&mut iv, Request::Skip),
        vec![Action::WrapUp {
            reason: Reason::Skip
        }]
    );
}

#[test]
fn the_close_answers_the_candidates_questions_then_ends() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::act(
        &mut iv,
        &Action::WrapUp {
            reason: Reason::Time,
        },
        100.0,
    );
    // A question about the team gets the interviewer's answer, and the interview stays open.
    let (_, a) =
        crate::session::testing::answer(&mut iv, "What does your team work on day to day?", 110.0);
    assert_eq!(a, vec![Action::AnswerAbout]);
    assert_eq!(iv.phase, Phase::WrapUp);
    // A question a hidden fact answers gets the fact.
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "Out of curiosity, what was the latency budget?",
        120.0,
    );
    assert!(matches!(&a[..], [Action::AnswerFact { .. }]), "{a:?}");
    // Two answers at the close, then it ends whatever is asked.
    let (_, a) = crate::session::testing::answer(&mut iv, "And what is the next step?", 130.0);
    assert_eq!(
        a,
        vec![Action::Debrief {
            reason: Reason::Finished
        }]
    );
    // Nothing asked: it ends at once.
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::act(
        &mut iv,
        &Action::WrapUp {
            reason: Reason::Time,
        },
        100.0,
    );
    let (_, a) =
        crate::session::testing::answer(&mut iv, "I'd build the baseline first. Thanks!", 110.0);
    assert_eq!(
        a,
        vec![Action::Debrief {
            reason: Reason::Finished
        }]
    );
}

#[test]
fn an_acknowledgement_in_a_covered_stage_moves_on_instead_of_hinting() {
    let mut iv = fresh(Mode::Coach);
    crate::session::testing::answer(
        &mut iv,
        "What's the business goal? How do we measure success? Any latency constraints? What data do we have? How many transactions per second? Is the decision real time?",
        60.0,
    );
    let (_, a) =
        crate::session::testing::answer(&mut iv, "Okay, I'm happy with the clarification.", 80.0);
    assert_eq!(kinds(&a), vec!["advance-stage"], "{a:?}");
    assert_eq!(iv.stats[Stage::Clarify].hints, 0);
}

/// Each built-in scenario's misconceptions, stated in a stage's answer, draw one challenge that
/// quotes the candidate; the same mistake after the challenge draws no second one.
#[test]
fn a_misconception_is_challenged_once_with_the_candidates_words() {
    for id in ["fraud", "recommendations", "churn"] {
        let sc = Arc::new(scenario::load(id).unwrap());
        assert!(sc.misconceptions.len() >= 5, "{id}");
        for m in &sc.misconceptions {
            let mut iv = Interview::new(sc.clone(), Mode::Interview, 60);
            crate::session::testing::open(&mut iv);
            let said = format!(
                "We would use the transaction history as our main input. {}",
                m.examples[0]
            );
            let (obs, a) = crate::session::testing::answer(&mut iv, &said, 60.0);
            let push = a.iter().find_map(|x| match x {
                Action::PushBack {
                    misconception,
                    quote,
                } => Some((misconception.clone(), quote.clone())),
                _ => None,
            });
            let (which, quote) = push.unwrap_or_else(|| panic!("{id}/{}: {a:?} {obs:?}", m.id));
            assert_eq!(which, m.id, "{id}");
            assert!(m.examples[0].contains(&quote), "{id}/{}: {quote}", m.id);
            let (_, again) = crate::session::testing::answer(&mut iv, &m.examples[0], 120.0);
            assert!(
                !kinds(&again).contains(&"push-back"),
                "{id}/{}: {again:?}",
                m.id
            );
            assert!(iv.missteps[0].held.is_some(), "{id}/{}", m.id);
        }
    }
}

/// The same topics said the right way, or asked about, or waved away, are not challenged.
#[test]
fn knowing_better_asking_or_waving_away_is_not_a_misconception() {
    let mut iv = fresh(Mode::Interview);
    for (n, text) in [
        "Accuracy is misleading at 0.15% fraud, so I'd look at PR-AUC.",
        "I would never use a random split here; time-based is the only honest test.",
        "Should we use accuracy as the metric?",
        "SMOTE only after the split, on the training fold.",
        "Chargebacks are the label, not a feature.",
    ]
    .iter()
    .enumerate()
    {
        let (obs, a) = crate::session::testing::answer(&mut iv, text, 30.0 * (n + 1) as f64);
        assert!(obs.analysis.misconceptions.is_empty(), "{text}: {obs:?}");
        assert!(!kinds(&a).contains(&"push-back"), "{text}: {a:?}");
    }
    assert!(iv.missteps.is_empty());
}

/// A question asked in the same turn as the mistake is answered first.
#[test]
fn a_question_beside_a_misconception_is_answered_before_the_challenge() {
    let mut iv = fresh(Mode::Interview);
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "I'd optimise the model for accuracy. What's the latency budget?",
        30.0,
    );
    assert_eq!(kinds(&a), vec!["answer-fact", "push-back"]);
}

/// Features covered in the first minute of a seven-minute stage: the interviewer goes deeper on
/// the candidate's own words instead of moving on, and never asks one claim from one angle
/// twice.
#[test]
fn a_stage_covered_early_is_taken_deeper_until_its_time_is_used() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::act(
        &mut iv,
        &Action::AdvanceStage {
            from: Some(Stage::Clarify),
            to: Stage::Features,
            reason: Reason::Skip,
        },
        0.0,
    );
    let answer = "I'd use the amount, merchant category, channel and device fingerprint. \
                  Velocity counts over the last hour and day, and the amount over the card's \
                  30-day average, because fraud shows up as a burst. Log-transform the amounts \
                  and target-encode merchant ids with smoothing.";
    let mut at = 30.0;
    let mut asked = Vec::new();
    let mut kinds_seen = Vec::new();
    loop {
        let (_, a) = crate::session::testing::answer(&mut iv, answer, at);
        at += 30.0;
        if a.iter().any(|x| matches!(x, Action::AdvanceStage { .. })) {
            break;
        }
        for x in &a {
            kinds_seen.push(x.kind());
            if let Action::DeepDive {
                checkpoint,
                angle,
                quote,
                ..
            } = x
            {
                assert!(answer.contains(quote.trim_end_matches("...")), "{quote}");
                assert!(
                    !asked.contains(&(checkpoint.clone(), *angle)),
                    "{checkpoint} {angle:?} twice"
                );
                // Never the same question twice in a row, nor a number asked of words that
                // already give one.
                assert_ne!(asked.last().map(|a| a.1), Some(*angle), "{asked:?}");
                if *angle == Angle::Numbers {
                    assert!(!quote.chars().any(|c| c.is_ascii_digit()), "{quote}");
                }
                asked.push((checkpoint.clone(), *angle));
            }
        }
        assert!(at < 2000.0, "never moved on: {kinds_seen:?}");
    }
    assert!(kinds_seen.contains(&"deep-dive"), "{kinds_seen:?}");
    assert!(asked.len() >= 3, "{asked:?}");
    // Probes alone ran out after a minute; going deeper spent most of the stage's seven, until
    // every claim of this repeating candidate had been taken up from every angle.
    let spent = iv.stats[Stage::Features].seconds(iv.now);
    assert!(spent >= 0.75 * iv.budget.stage(Stage::Features), "{spent}");
}

/// Going deeper never holds a stage past its budget, and a thin stage is not "deepened".
#[test]
fn going_deeper_needs_a_covered_stage_and_spare_time() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::act(
        &mut iv,
        &Action::AdvanceStage {
            from: Some(Stage::Clarify),
            to: Stage::Features,
            reason: Reason::Skip,
        },
        0.0,
    );
    let (_, a) = crate::session::testing::answer(&mut iv, "Some columns from the tables.", 30.0);
    assert!(!kinds(&a).contains(&"deep-dive"), "{a:?}");
}

/// "That's everything from me" ends the design part, whatever the clock says; a summary does so
/// in the last stage, and its question about the team is answered from the persona.
#[test]
fn a_candidate_who_says_they_are_done_is_taken_to_the_close() {
    let mut iv = fresh(Mode::Interview);
    let (_, a) = crate::session::testing::answer(&mut iv, "Okay, that's everything from me.", 30.0);
    assert_eq!(
        a,
        vec![Action::WrapUp {
            reason: Reason::Candidate
        }]
    );
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::act(
        &mut iv,
        &Action::AdvanceStage {
            from: Some(Stage::Clarify),
            to: Stage::Deployment,
            reason: Reason::Skip,
        },
        10.0,
    );
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "To summarise: boosted trees behind a feature store, shadow mode, then an A/B test. What is the team like?",
        60.0,
    );
    assert_eq!(kinds(&a), vec!["answer-about", "wrap-up"]);
    // Mid-interview, a summary of one stage is just an answer.
    let mut iv = fresh(Mode::Interview);
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "To summarise what I know: the goal is fewer fraud losses and the budget is 100 ms.",
        30.0,
    );
    assert!(!kinds(&a).contains(&"wrap-up"), "{a:?}");
}

#[test]
fn a_follow_up_talked_over_before_its_question_was_heard_is_not_counted() {
    use crate::interview::{Event, Role};
    let probe = Action::Probe {
        stage: Stage::Clarify,
        index: 0,
        curveball: false,
        press: false,
        quote: None,
    };
    let line = |iv: &mut Interview, heard: Option<&str>| {
        crate::session::testing::act(iv, &probe, 40.0);
        let n = iv.next_turn();
        iv.apply(&Event::Turn {
            n,
            role: Role::Interviewer,
            text: "Fair enough. Who are the users of this system, and what do they see?".into(),
            at: 45.0,
            phase: iv.phase,
        });
        if let Some(h) = heard {
            iv.apply(&Event::Spoken {
                turn: n,
                text: h.into(),
            });
        }
    };
    let mut cut_early = fresh(Mode::Interview);
    line(&mut cut_early, Some("Fair enough —"));
    crate::session::testing::observe(&mut cut_early, "Let me talk about the model instead.", 60.0);
    assert_eq!(cut_early.follow_up_tally(None).asked, 0);
    assert_eq!(cut_early.pending_probe, None);

    let mut heard = fresh(Mode::Interview);
    line(&mut heard, Some("Fair enough. Who are the users of —"));
    crate::session::testing::observe(&mut heard, "Let me talk about the model instead.", 60.0);
    let t = heard.follow_up_tally(None);
    assert_eq!((t.asked, t.replied, t.answered), (1, 1, 0));
}

/// The probes a candidate meets in `stage` before it is left, answering every turn with `text`.
fn probes_met(stage: Stage, text: &str) -> Vec<String> {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::act(
        &mut iv,
        &Action::AdvanceStage {
            from: Some(Stage::Clarify),
            to: stage,
            reason: Reason::Skip,
        },
        0.0,
    );
    let mut met = Vec::new();
    let mut at = 30.0;
    while iv.phase == Phase::Stage(stage) && at < 3000.0 {
        let (_, a) = crate::session::testing::answer(&mut iv, text, at);
        at += 30.0;
        for x in &a {
            if let Action::Probe {
                index,
                curveball: false,
                ..
            } = x
            {
                met.push(iv.scenario.stage(stage).probes[*index].text.clone());
            }
        }
    }
    met
}

/// A follow-up never asks for what the candidate has just explained: "What would your first
/// baseline be?" is not asked of a candidate who described theirs and why, and is asked of one
/// who did not mention one.
#[test]
fn an_open_probe_is_not_asked_for_what_was_explained() {
    let baseline = |met: &[String]| met.iter().any(|p| p.contains("baseline"));
    let explained = probes_met(
        Stage::Model,
        "As a first baseline I'd fit a logistic regression on the amount and velocity features, \
         because it ships in a week and tells us how much signal the features carry.",
    );
    assert!(!baseline(&explained), "{explained:?}");
    let without = probes_met(
        Stage::Model,
        "I'd use gradient-boosted trees, because they handle tabular data with missing values \
         well and score in a few milliseconds.",
    );
    assert!(baseline(&without), "{without:?}");
}

/// A probe that follows a checkpoint asks for more than the candidate gave: asked when the
/// split was only named, not when it was explained with its reason.
#[test]
fn a_probe_after_a_checkpoint_is_asked_only_when_it_was_only_named() {
    let random = |met: &[String]| met.iter().any(|p| p.contains("random split"));
    let named = probes_met(Stage::Training, "A time-based split.");
    assert!(random(&named), "{named:?}");
    let explained = probes_met(
        Stage::Training,
        "I'd split by time, training on the older months and validating on the latest two, \
         because fraud patterns drift and the test has to come after the data it learns from.",
    );
    assert!(!random(&explained), "{explained:?}");
}

/// A probe on a claim is asked right after the candidate states it, quoting their words, and
/// not when they ask about it or say they would not do it.
#[test]
fn a_probe_on_a_claim_follows_the_claim_in_the_candidates_words() {
    let into_training = || {
        let mut iv = fresh(Mode::Interview);
        crate::session::testing::act(
            &mut iv,
            &Action::AdvanceStage {
                from: Some(Stage::Clarify),
                to: Stage::Training,
                reason: Reason::Skip,
            },
            0.0,
        );
        iv
    };
    let oversampling = |iv: &Interview, a: &[Action]| {
        a.iter().find_map(|x| match x {
            Action::Probe { index, quote, .. }
                if iv.scenario.stage(Stage::Training).probes[*index]
                    .text
                    .contains("oversampling") =>
            {
                Some(quote.clone())
            }
            _ => None,
        })
    };
    let mut iv = into_training();
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "For the imbalance I'd oversample the fraud cases with SMOTE until the classes are even.",
        20.0,
    );
    assert_eq!(
        oversampling(&iv, &a),
        Some(Some(
            "For the imbalance I'd oversample the fraud cases with SMOTE until the classes are even"
                .into()
        )),
        "{a:?}"
    );
    for text in [
        "I would not use SMOTE here; class weights keep the probabilities honest.",
        "Would oversampling with SMOTE be acceptable to the team?",
    ] {
        let mut iv = into_training();
        let (_, a) = crate::session::testing::answer(&mut iv, text, 20.0);
        assert_eq!(oversampling(&iv, &a), None, "{text}: {a:?}");
    }
}

/// In coach mode a hint offered after a quiet turn is coaching, not a hint the candidate
/// needed: it is not counted. A hint asked for, or given to a candidate who says they are
/// stuck, is; and the offered one still makes the next hint stronger.
#[test]
fn only_the_hints_a_coached_candidate_needed_are_counted() {
    let mut iv = fresh(Mode::Coach);
    let (_, a) =
        crate::session::testing::answer(&mut iv, "Okay, I'm happy with the framing.", 10.0);
    assert!(
        matches!(
            a[..],
            [Action::Hint {
                level: 1,
                offered: true,
                ..
            }]
        ),
        "{a:?}"
    );
    assert_eq!(iv.stats[Stage::Clarify].hints, 0);
    assert_eq!(iv.stats[Stage::Clarify].offered, 1);
    let (_, a) = crate::session::testing::answer(&mut iv, "I'm not sure, I don't know.", 20.0);
    assert!(
        matches!(
            a[..],
            [Action::Hint {
                level: 2,
                offered: false,
                ..
            }]
        ),
        "{a:?}"
    );
    let a = crate::session::testing::request(&mut iv, Request::Hint);
    assert!(
        matches!(
            a[..],
            [Action::Hint {
                level: 3,
                offered: false,
                ..
            }]
        ),
        "{a:?}"
    );
    assert_eq!(iv.stats[Stage::Clarify].hints, 2);
    // In an interview, the interviewer stepping in after two quiet turns is a hint needed.
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::answer(&mut iv, "Okay.", 10.0);
    let (_, a) = crate::session::testing::answer(&mut iv, "Right, okay.", 20.0);
    assert!(
        matches!(a[..], [Action::Hint { offered: false, .. }]),
        "{a:?}"
    );
    assert_eq!(iv.stats[Stage::Clarify].hints, 1);
}

/// A candidate who frames the problem fully while still clarifying is followed into framing
/// without being asked the framing question they just answered.
#[test]
fn a_stage_answered_ahead_is_not_opened_with_its_question_again() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::answer(&mut iv, "What's the business goal here?", 10.0);
    let (_, a) = crate::session::testing::answer(
        &mut iv,
        "I'd frame it as binary classification per transaction, outputting a calibrated fraud \
         probability that thresholds map to approve, step-up or decline, judged on precision \
         and recall because positives are only 0.15 percent.",
        40.0,
    );
    assert!(
        matches!(
            a.first(),
            Some(Action::AdvanceStage {
                to: Stage::Frame,
                ..
            })
        ),
        "{a:?}"
    );
    assert!(
        matches!(
            a.get(1),
            Some(Action::Probe {
                stage: Stage::Frame,
                ..
            })
        ),
        "{a:?}"
    );
}

/// A stage the candidate began on while answering another opens with one of its probes, not
/// with the question they have partly answered.
#[test]
fn a_stage_begun_earlier_opens_with_a_probe_not_its_question() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::answer(&mut iv, "What's the business goal?", 10.0);
    crate::session::testing::answer(
        &mut iv,
        "I'd output a fraud probability per transaction.",
        20.0,
    );
    assert_eq!(iv.phase, Phase::Stage(Stage::Clarify));
    let (_, a) = crate::session::testing::answer(&mut iv, "What data do we have?", 1000.0);
    let kinds = kinds(&a);
    let advance = kinds.iter().position(|k| *k == "advance-stage");
    assert!(advance.is_some(), "{a:?}");
    assert!(
        matches!(
            a.last(),
            Some(Action::Probe {
                stage: Stage::Frame,
                ..
            })
        ),
        "{a:?}"
    );
    // A stage not begun opens with its own question.
    let mut iv = fresh(Mode::Interview);
    let (_, a) = crate::session::testing::answer(&mut iv, "What data do we have?", 1000.0);
    assert!(
        matches!(
            a.last(),
            Some(Action::AdvanceStage {
                to: Stage::Frame,
                ..
            })
        ),
        "{a:?}"
    );
}

/// A candidate who keeps asking for what was already told is told again twice, then the
/// interview moves on rather than go round.
#[test]
fn asking_again_and_again_for_what_was_told_moves_the_interview_on() {
    let mut iv = fresh(Mode::Interview);
    crate::session::testing::answer(&mut iv, "What's the latency budget?", 10.0);
    for at in [20.0, 30.0] {
        let (_, a) = crate::session::testing::answer(&mut iv, "What's the latency budget?", at);
        assert!(
            matches!(a[..], [Action::AnswerFact { repeat: true, .. }]),
            "{a:?}"
        );
    }
    let (_, a) = crate::session::testing::answer(&mut iv, "What's the latency budget?", 40.0);
    assert!(
        matches!(
            a[..],
            [
                Action::AnswerFact { repeat: true, .. },
                Action::AdvanceStage {
                    to: Stage::Frame,
                    ..
                }
            ]
        ),
        "{a:?}"
    );
}

#[test]
fn a_stage_with_no_minutes_is_not_part_of_the_round() {
    let mut sc = scenario::load("fraud").unwrap();
    // A coding round's shape: no feature or training stage of its own.
    sc.budget = Some([5.0, 5.0, 6.0, 0.0, 14.0, 0.0, 6.0, 4.0, 5.0]);
    let mut iv = Interview::new(Arc::new(sc), Mode::Interview, 45);
    crate::session::testing::open(&mut iv);
    let mut visited = vec![Stage::Clarify];
    while let Phase::Stage(s) = iv.phase {
        let a = crate::session::testing::request(&mut iv, Request::Skip);
        if let Some(Action::AdvanceStage { to, .. }) = a.first() {
            visited.push(*to);
        }
        assert_ne!(iv.phase, Phase::Stage(s), "skip did not move on");
    }
    assert_eq!(
        visited,
        vec![
            Stage::Clarify,
            Stage::Frame,
            Stage::Data,
            Stage::Model,
            Stage::Evaluation,
            Stage::Deployment
        ]
    );
    let report = crate::debrief::report(&iv, crate::debrief::Basis::Session);
    let features = report
        .stages
        .iter()
        .find(|s| s.id == Stage::Features)
        .unwrap();
    assert_eq!(features.status, "not in this round");
    assert_eq!(features.score, None);
}

fn hidden_run(passed: usize, failing: &[&str]) -> crate::coding::CodeRun {
    use crate::coding::{CaseResult, Suite, Verdict};
    crate::coding::CodeRun {
        suite: Suite::Hidden,
        passed,
        total: 14,
        failed: (failing.iter())
            .map(|c| CaseResult {
                name: format!("a {c} case"),
                category: c.to_string(),
                verdict: Verdict::Failed {
                    why: "returned a wrong value".into(),
                },
            })
            .collect(),
        ended: "finished".into(),
        stopped: false,
        load_error: None,
        shape: None,
        source: String::new(),
    }
}

#[test]
fn a_submission_is_reviewed_and_working_code_moves_on_once_explained() {
    use crate::session::testing::{answer, record, request};
    let sc = Arc::new(scenario::load("coding-pr-auc").unwrap());
    let mut iv = Interview::new(sc, Mode::Interview, 45);
    crate::session::testing::open(&mut iv);
    while iv.phase != Phase::Stage(Stage::Model) {
        request(&mut iv, Request::Skip);
    }
    let submit = |iv: &mut Interview, run| {
        let at = iv.now;
        record(iv, crate::interview::Event::Code { at, run });
        request(iv, Request::Review)
    };
    let a = submit(&mut iv, hidden_run(11, &["ties", "invalid", "ties"]));
    assert_eq!(
        a,
        vec![Action::CodeReview {
            passed: 11,
            total: 14,
            failing: vec!["ties".into(), "invalid".into()],
            broken: false,
        }]
    );
    // Working code not yet explained: the stage asks for the explanation.
    let a = submit(&mut iv, hidden_run(14, &[]));
    assert_eq!(kinds(&a), ["code-review", "probe"]);
    assert_eq!(iv.phase, Phase::Stage(Stage::Model));
    let later = iv.now + 60.0;
    answer(
        &mut iv,
        "I sort the indices by score and walk each group of tied scores with running counts of positives seen and items seen. \
         The trade-off is that a plain loop is simpler but slower than numpy would be.",
        later,
    );
    let a = submit(&mut iv, hidden_run(14, &[]));
    assert_eq!(kinds(&a), ["code-review", "advance-stage"]);
    assert_eq!(iv.phase, Phase::Stage(Stage::Evaluation));
}

#[test]
fn working_code_submitted_while_clarifying_takes_the_round_to_the_code() {
    let sc = Arc::new(scenario::load("coding-ndcg").unwrap());
    let mut iv = Interview::new(sc, Mode::Interview, 45);
    crate::session::testing::open(&mut iv);
    let at = iv.now;
    crate::session::testing::record(
        &mut iv,
        crate::interview::Event::Code {
            at,
            run: hidden_run(14, &[]),
        },
    );
    let a = crate::session::testing::request(&mut iv, Request::Review);
    assert_eq!(kinds(&a), ["code-review", "advance-stage", "probe"]);
    assert_eq!(iv.phase, Phase::Stage(Stage::Model));
}

/// A candidate who asks to go on is taken on, to the part they name when it is ahead, with
/// "Sure" rather than "we haven't pinned that down"; a question that only uses the words, or
/// names the part already under way, is not a request to move.
#[test]
fn asking_to_move_on_moves_on_to_the_part_asked_for() {
    let advanced = |text: &str, at: Stage| {
        let mut iv = fresh(Mode::Interview);
        if at != Stage::Clarify {
            crate::session::testing::act(
                &mut iv,
                &Action::AdvanceStage {
                    from: Some(Stage::Clarify),
                    to: at,
                    reason: Reason::Skip,
                },
                0.0,
            );
        }
        let (_, a) = crate::session::testing::answer(&mut iv, text, 30.0);
        a.iter().find_map(|x| match x {
            Action::AdvanceStage {
                to,
                reason: Reason::Candidate,
                ..
            } => Some(*to),
            _ => None,
        })
    };
    assert_eq!(
        advanced("Shall I move on to data?", Stage::Frame),
        Some(Stage::Data)
    );
    assert_eq!(
        advanced("Can we move to evaluation?", Stage::Model),
        Some(Stage::Evaluation)
    );
    assert_eq!(
        advanced("Can we talk about how I'd train it?", Stage::Model),
        Some(Stage::Training)
    );
    assert_eq!(
        advanced("Okay, let's move on.", Stage::Data),
        Some(Stage::Features)
    );
    assert_eq!(
        advanced("Moving on to the features", Stage::Data),
        Some(Stage::Features)
    );
    // Most often the request ends an answer.
    assert_eq!(
        advanced(
            "With 0.15% positives the review queue takes only the top scores, and step-up \
             checks take the uncertain band. Shall I move on to data and labels?",
            Stage::Clarify
        ),
        Some(Stage::Data)
    );
    for (text, at) in [
        (
            "Do subscribers move on to a rival service after a price rise?",
            Stage::Clarify,
        ),
        ("Can we talk about the data the bank keeps?", Stage::Data),
        (
            "When do we go to production with the first version?",
            Stage::Clarify,
        ),
        (
            "Fraudsters move to new merchants once a pattern is blocked.",
            Stage::Data,
        ),
        (
            "Shall I move on to data? No wait, first: what is the latency budget for a decision?",
            Stage::Clarify,
        ),
    ] {
        assert_eq!(advanced(text, at), None, "{text}");
    }
    // The stage's line says the candidate was heard.
    let mut iv = fresh(Mode::Interview);
    let (_, a) =
        crate::session::testing::answer(&mut iv, "Shall we move on to the next part?", 30.0);
    assert_eq!(kinds(&a), vec!["advance-stage"], "{a:?}");
}

/// A wrong move is challenged and earns nothing: the sentence that makes it is not evidence of
/// the checkpoint it gets wrong.
#[test]
fn a_misconception_earns_no_credit_for_its_sentence() {
    let mut iv = fresh(Mode::Interview);
    let text = "For the offline metric I'd use accuracy, since it will be around 99 percent.";
    let (obs, a) = crate::session::testing::answer(&mut iv, text, 30.0);
    assert!(!obs.analysis.misconceptions.is_empty(), "{obs:?}");
    assert!(kinds(&a).contains(&"push-back"), "{a:?}");
    assert!(obs.analysis.hits.is_empty(), "{:?}", obs.analysis.hits);
    assert!(iv.evidence.iter().all(|e| e.is_empty()));
}
