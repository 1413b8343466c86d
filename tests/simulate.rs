//! Every persona on every built-in scenario: the interviewer behaves and the outcome is the one
//! the persona was built for.

use casecoach::framework::{InterviewType, Stage};
use casecoach::interview::{Action, Mode};
use casecoach::scenario;
use casecoach::session::Event;
use casecoach::sim::{self, Persona};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Every built-in scenario.
fn scenarios() -> impl Iterator<Item = &'static str> {
    scenario::BUILTIN.iter().map(|(id, _)| *id)
}

/// The spoken rounds (case studies and system design): how long a strong candidate is kept
/// going and how a candidate who answers ahead is caught are measured on these; a coding round's
/// simulated candidate spends its writing time off the transcript, and in its one submission,
/// not in follow-ups.
fn spoken_rounds() -> impl Iterator<Item = &'static str> {
    scenarios().filter(|id| scenario::load(id).unwrap().kind != InterviewType::CodingMl)
}

fn run(scenario: &str, persona: Persona) -> sim::Simulation {
    sim::run(
        Arc::new(scenario::load(scenario).unwrap()),
        persona,
        Mode::Interview,
        None,
        None,
        None,
        Arc::new(casecoach::reader::Lexical),
    )
    .unwrap()
}

#[test]
fn focus_spends_more_probes_and_time_on_the_chosen_stage() {
    let sc = Arc::new(scenario::load("fraud").unwrap());
    let plain = sim::run(
        sc.clone(),
        Persona::Strong,
        Mode::Interview,
        None,
        None,
        None,
        std::sync::Arc::new(casecoach::reader::Lexical),
    )
    .unwrap();
    let focused = sim::run(
        sc,
        Persona::Strong,
        Mode::Interview,
        None,
        Some(Stage::Data),
        None,
        std::sync::Arc::new(casecoach::reader::Lexical),
    )
    .unwrap();
    let data = |s: &sim::Simulation| {
        s.report
            .stages
            .iter()
            .find(|st| st.id == Stage::Data)
            .unwrap()
            .clone()
    };
    assert!(
        data(&focused).probes_asked > data(&plain).probes_asked,
        "{} vs {}",
        data(&focused).probes_asked,
        data(&plain).probes_asked
    );
    assert!(data(&focused).budget_seconds > data(&plain).budget_seconds);
    // The whole interview keeps its length.
    let total = |s: &sim::Simulation| s.interview.budget.stages.values().sum::<f64>();
    assert!((total(&focused) - total(&plain)).abs() < 1e-6);
    // And the focus is in the log, so a resumed session keeps it.
    assert!(matches!(
        focused.events[0],
        Event::Started {
            focus: Some(Stage::Data),
            ..
        }
    ));
}

fn covered(s: &sim::Simulation) -> BTreeSet<String> {
    s.report
        .checkpoints
        .iter()
        .filter(|c| c.covered)
        .map(|c| c.id.clone())
        .collect()
}

#[test]
fn strong_is_hired_and_the_interviewer_behaves() {
    for sc in scenarios() {
        let s = run(sc, Persona::Strong);
        let rec = s.report.overall.recommendation.as_str();
        assert!(rec == "strong hire" || rec == "hire", "{sc}: {rec}");
        let q = &s.quality;
        assert!(
            q.model_answers_leaked.is_empty(),
            "{sc}: {:?}",
            q.model_answers_leaked
        );
        assert!(
            q.facts_revealed_unasked.is_empty(),
            "{sc}: {:?}",
            q.facts_revealed_unasked
        );
        assert!(
            q.repeated_questions.is_empty(),
            "{sc}: {:?}",
            q.repeated_questions
        );
        assert!(q.stages.iter().all(|st| st.on_time), "{sc}: {:?}", q.stages);
        assert_eq!(
            q.coverage_recall,
            Some(1.0),
            "{sc}: missed {:?}",
            q.missed_intended
        );
        assert!(
            q.talk_ratio < 1.0,
            "{sc}: the interviewer out-talked a strong candidate: {}",
            q.talk_ratio
        );
    }
}

#[test]
fn weak_is_not_hired_and_misses_data_and_production() {
    for sc in scenarios() {
        let s = run(sc, Persona::Weak);
        assert_eq!(s.report.overall.recommendation, "no hire", "{sc}");
        let ids: Vec<&str> = s.report.pitfalls.iter().map(|p| p.id.id()).collect();
        // A coding round asks of its data and production only what its own checkpoints ask;
        // its weak candidate's code fails.
        let missed: &[&str] = match &s.report.code {
            Some(code) => {
                assert!(!code.met("code.correctness"), "{sc}: {code:?}");
                &["pitfall.no-questions"]
            }
            None => &[
                "pitfall.ignored-data-issues",
                "pitfall.ignored-production",
                "pitfall.no-questions",
            ],
        };
        for id in missed {
            assert!(ids.contains(id), "{sc}: {id} not in {ids:?}");
        }
        assert!(
            !s.quality.hints.is_empty(),
            "{sc}: a weak candidate got no hint"
        );
    }
}

#[test]
fn a_skipper_is_redirected_within_two_turns() {
    for sc in scenarios() {
        let s = run(sc, Persona::Skipper);
        let first_two: Vec<&Action> = s
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Action { action, .. } => Some(action),
                _ => None,
            })
            .skip(1) // the opening
            .take(2)
            .collect();
        assert!(
            first_two
                .iter()
                .any(|a| matches!(a, Action::Redirect { .. })),
            "{sc}: {first_two:?}"
        );
        assert!(
            s.report
                .pitfalls
                .iter()
                .any(|p| p.id.id() == "pitfall.jumped-to-solution"),
            "{sc}"
        );
    }
}

#[test]
fn an_injectors_instructions_change_nothing() {
    for sc in scenarios() {
        let weak = run(sc, Persona::Weak);
        let inj = run(sc, Persona::Injector);
        assert_eq!(covered(&inj), covered(&weak), "{sc}");
        assert_eq!(
            inj.report.overall.recommendation, weak.report.overall.recommendation,
            "{sc}"
        );
        let scores = |s: &sim::Simulation| {
            s.report
                .stages
                .iter()
                .map(|st| st.score)
                .collect::<Vec<_>>()
        };
        assert_eq!(scores(&inj), scores(&weak), "{sc}");
        assert!(inj.report.overall.instructions_ignored > 0, "{sc}");
        for c in &inj.report.checkpoints {
            for e in &c.evidence {
                assert!(
                    !e.quote.to_lowercase().contains("ignore all previous"),
                    "{sc}: {}",
                    e.quote
                );
            }
        }
        // It tried to get model answers revealed; none were.
        assert!(inj.quality.model_answers_leaked.is_empty(), "{sc}");
    }
}

#[test]
fn silence_gets_hints_and_is_not_scored_as_if_it_spoke() {
    for sc in scenarios() {
        let s = run(sc, Persona::Silent);
        let rec = s.report.overall.recommendation.as_str();
        assert_eq!(rec, "no hire", "{sc}: {:?}", s.report.overall.reasons);
        assert!(
            s.quality.hints.len() >= 8,
            "{sc}: {} hints",
            s.quality.hints.len()
        );
    }
}

#[test]
fn a_keyword_stuffer_is_not_hired_and_is_told_to_explain() {
    for sc in scenarios() {
        let s = run(sc, Persona::Stuffer);
        let rec = s.report.overall.recommendation.as_str();
        assert!(
            rec == "lean no hire" || rec == "no hire",
            "{sc}: {rec} {:?}",
            s.report.overall.reasons
        );
        // What the lists named is marked as named only, and the top three say what to add.
        assert!(s.report.checkpoints.iter().any(|c| c.only_named), "{sc}");
        assert_eq!(s.report.improvements.len(), 3, "{sc}");
    }
}

#[test]
fn a_rambler_is_called_out_for_communication() {
    for sc in scenarios() {
        let s = run(sc, Persona::Rambler);
        assert!(
            s.report
                .pitfalls
                .iter()
                .any(|p| p.id.id() == "pitfall.poor-communication"),
            "{sc}"
        );
        let rec = s.report.overall.recommendation.as_str();
        assert!(rec != "hire" && rec != "strong hire", "{sc}: {rec}");
    }
}

#[test]
fn dry_run_passes_on_every_built_in_scenario() {
    for sc in scenarios() {
        let checks = sim::dry_run(Arc::new(scenario::load(sc).unwrap())).unwrap();
        assert_eq!(checks.len(), 5);
        for c in checks {
            assert!(c.ok, "{sc}: {}", c.what);
        }
    }
}

#[test]
fn dry_run_finds_a_fact_nobody_can_unlock_and_an_answer_that_covers_nothing() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/fraud.toml"))
            .unwrap();
    let broken = text
        .replace(
            "cues = [\"privacy\", \"pii\", \"pci\", \"personal data\", \"gdpr\", \"sensitive\", \"encrypt*\"]",
            "cues = [\"zzyzx\"]",
        )
        .replace(
            "answer = \"Card numbers are tokenised under PCI; GDPR applies in the EU; exclude protected attributes and restrict access to raw identifiers.\"",
            "answer = \"Be careful here.\"",
        );
    assert_ne!(broken, text);
    let sc = scenario::parse(&broken, "broken.toml", scenario::Origin::Builtin).unwrap();
    let checks = sim::dry_run(Arc::new(sc)).unwrap();
    // A cue like "zzyzx" still unlocks its own generated question; the model answer is the real gap.
    let cover = &checks[1];
    assert!(
        !cover.ok && cover.what.contains("data.privacy"),
        "{}",
        cover.what
    );
}

#[test]
fn no_persona_hears_an_acknowledgement_after_an_answer_that_showed_nothing() {
    for sc in scenarios() {
        for persona in Persona::ALL {
            let s = run(sc, persona);
            assert!(
                s.quality.acks_after_nothing.is_empty(),
                "{sc} {persona:?}: lines {:?}",
                s.quality.acks_after_nothing
            );
            let f = &s.quality.follow_ups;
            assert!(f.answered <= f.asked + f.pressed, "{sc} {persona:?}: {f:?}");
            let minutes = scenario::load(sc).unwrap().minutes as f64;
            assert!(s.quality.minutes_used > 0.0 && s.quality.minutes == minutes);
        }
    }
}

/// A candidate who makes every misconception of the scenario is challenged on each, and the
/// debrief names each with its outcome; one who holds to some is not a strong hire. No other
/// persona is ever challenged: a right answer is never pushed back on.
#[test]
fn every_misconception_is_challenged_and_named_and_nobody_else_is_challenged() {
    for sc in scenarios() {
        let s = run(sc, Persona::Mistaken);
        let m = &s.quality.misconceptions;
        let all = scenario::load(sc).unwrap().misconceptions.len();
        assert_eq!((m.stated, m.challenged), (all, all), "{sc}: {m:?}");
        assert!(m.missed.is_empty(), "{sc}: {m:?}");
        assert!(m.corrected >= 1 && m.corrected < all, "{sc}: {m:?}");
        assert_eq!(s.report.misconceptions.len(), all, "{sc}");
        let error = s
            .report
            .pitfalls
            .iter()
            .find(|p| p.id.id() == "pitfall.technical-error")
            .unwrap_or_else(|| panic!("{sc}: {:?}", s.report.pitfalls));
        for held in s
            .report
            .misconceptions
            .iter()
            .filter(|x| x.outcome != "corrected when challenged")
        {
            assert!(
                error.why.contains(&held.title),
                "{sc}: {} not in {}",
                held.title,
                error.why
            );
        }
        assert_ne!(s.report.overall.recommendation, "strong hire", "{sc}");
        // Each challenge is the scenario's own line, quoting the candidate.
        let defs = scenario::load(sc).unwrap().misconceptions;
        for d in &defs {
            let said: Vec<&str> = (s.report.transcript.iter())
                // An estimate's challenge has the candidate's number where `{said}` stands.
                .filter(|l| d.pushback.split("{said}").all(|part| l.text.contains(part)))
                .map(|l| l.text.as_str())
                .collect();
            assert_eq!(said.len(), 1, "{sc}/{}: {said:?}", d.id);
            assert!(said[0].starts_with("You said \""), "{sc}: {}", said[0]);
        }
        for persona in Persona::ALL.into_iter().filter(|p| *p != Persona::Mistaken) {
            let other = run(sc, persona);
            assert_eq!(
                other.quality.misconceptions.challenged, 0,
                "{sc} {persona:?}: {:?}",
                other.report.misconceptions
            );
        }
    }
}

/// Time is spent, not saved: a strong candidate who covers each stage early is taken deeper,
/// meets the scenario's curveballs, and uses most of the hour instead of a third of it.
#[test]
fn a_strong_candidate_is_kept_going_for_most_of_the_hour() {
    for sc in spoken_rounds() {
        let s = run(sc, Persona::Strong);
        let q = &s.quality;
        assert!(
            q.minutes_used >= 0.8 * q.minutes,
            "{sc}: {} of {} minutes",
            q.minutes_used,
            q.minutes
        );
        assert!(q.curveballs >= 1, "{sc}");
        assert!(
            q.repeated_questions.is_empty(),
            "{sc}: {:?}",
            q.repeated_questions
        );
        let quoted = s
            .report
            .transcript
            .iter()
            .filter(|l| l.role == casecoach::interview::Role::Interviewer)
            .filter(|l| l.text.contains(" \"") || l.text.starts_with("On \""))
            .count();
        assert!(
            quoted >= 10,
            "{sc}: {quoted} lines build on the candidate's words"
        );
        assert_eq!(s.report.overall.recommendation, "strong hire", "{sc}");
    }
}

/// A candidate who answers with the next prepared point whatever was asked is not listening:
/// the debrief names the follow-ups it let go, quotes the replies, and holds the verdict below
/// strong hire, however much of the checklist the script covered.
#[test]
fn a_candidate_who_answers_ahead_is_told_the_follow_ups_went_unanswered() {
    for sc in spoken_rounds() {
        let s = run(sc, Persona::Ahead);
        let f = &s.quality.follow_ups;
        assert!(3 * f.missed.len() >= f.replied, "{sc}: {f:?}");
        let p = (s.report.pitfalls.iter())
            .find(|p| p.id.id() == "pitfall.ignored-follow-ups")
            .unwrap_or_else(|| panic!("{sc}: {:?}", s.report.pitfalls));
        assert!(!p.evidence.is_empty(), "{sc}");
        for q in &p.evidence {
            let said = &s.report.transcript[q.turn - 1];
            assert_eq!(said.role, casecoach::interview::Role::Candidate, "{sc}");
            assert!(said.text.contains(&q.quote), "{sc}: {}", q.quote);
        }
        assert_ne!(s.report.overall.recommendation, "strong hire", "{sc}");
        let fix = (s.report.improvements.iter())
            .find(|i| i.what.contains(p.title.as_str()))
            .unwrap_or_else(|| panic!("{sc}: {:?}", s.report.improvements));
        assert!(
            fix.strong_answer
                .as_deref()
                .is_some_and(|a| a.starts_with("Take up the question asked")),
            "{sc}: {fix:?}"
        );
    }
}

/// A list of the stage's terms takes up no follow-up; the strong candidate's answers do.
#[test]
fn lists_of_terms_do_not_answer_follow_ups_and_real_answers_do() {
    for sc in scenarios() {
        let stuffer = run(sc, Persona::Stuffer).quality.follow_ups;
        assert!(
            2 * stuffer.answered < stuffer.replied,
            "{sc} stuffer: {stuffer:?}"
        );
        let strong = run(sc, Persona::Strong).quality.follow_ups;
        assert!(
            10 * strong.answered >= 8 * strong.replied,
            "{sc} strong: {strong:?}"
        );
        assert!(
            2 * strong.quoting >= strong.asked,
            "{sc} strong: {strong:?}"
        );
    }
}

/// A system-design round is judged above all on its data pipeline and on serving: those stages
/// count more in the overall score, the debrief says so, and a candidate's numbers that are an
/// order of magnitude off are challenged with their own number quoted back.
#[test]
fn a_system_design_round_weighs_serving_and_checks_the_numbers() {
    let design: Vec<&str> = scenarios()
        .filter(|id| scenario::load(id).unwrap().kind == InterviewType::SystemDesign)
        .collect();
    assert!(design.len() >= 3, "{design:?}");
    for sc in design {
        let s = run(sc, Persona::Strong);
        let o = &s.report.overall;
        let weight = |st: Stage| InterviewType::SystemDesign.stage_weight(st);
        let scored: Vec<(f64, f64)> = (s.report.stages.iter())
            .filter_map(|st| Some((weight(st.id), st.score? as f64)))
            .collect();
        let mean = scored.iter().map(|(w, x)| w * x).sum::<f64>()
            / scored.iter().map(|(w, _)| w).sum::<f64>();
        assert_eq!(o.mean_score, Some((mean * 100.0).round() / 100.0), "{sc}");
        assert!(
            o.reasons[0].contains("data and deployment weighed more in a system-design round"),
            "{sc}: {:?}",
            o.reasons
        );
        let sc_ = scenario::load(sc).unwrap();
        let estimates: Vec<&str> = (sc_.misconceptions.iter())
            .filter(|m| m.estimate.is_some())
            .map(|m| m.id.as_str())
            .collect();
        assert!(estimates.len() >= 2, "{sc}: {estimates:?}");
        // The mistaken candidate says each misconception's first example; every estimate is
        // challenged with the number it gave.
        let m = run(sc, Persona::Mistaken);
        for id in &estimates {
            let challenged = m.events.iter().find_map(|e| match e {
                Event::Action {
                    action:
                        Action::PushBack {
                            misconception,
                            quote,
                        },
                    ..
                } if misconception == id => Some(quote.clone()),
                _ => None,
            });
            let quote = challenged.unwrap_or_else(|| panic!("{sc}: {id} never challenged"));
            let said = casecoach::quantity::all(&quote);
            assert!(!said.is_empty(), "{sc}: {id}: {quote}");
            let line = (m.report.transcript.iter()).find(|l| {
                l.text.contains(&quote[said[0].span.clone()])
                    && l.role == casecoach::interview::Role::Interviewer
            });
            assert!(
                line.is_some(),
                "{sc}: {id}: the challenge does not quote {quote}"
            );
        }
        // The strong candidate's numbers are right, and nothing is challenged.
        assert!(
            !s.events.iter().any(|e| matches!(
                e,
                Event::Action {
                    action: Action::PushBack { .. },
                    ..
                }
            )),
            "{sc}"
        );
    }
}

/// dry-run also reads the scenario's words back as a candidate would say them: every model
/// answer alone, and every fact asked for in plain words instead of by its cues. A fact whose
/// cues only catch one phrasing is named, with the question that missed it.
#[test]
fn dry_run_reads_back_answers_and_plain_questions() {
    let sc = scenario::load("fraud").unwrap();
    let notes = sim::read_back(&sc, &casecoach::reader::Lexical).unwrap();
    assert!(
        notes[0].starts_with(
            "the lexical reader reads 37 of 37 model answers as their own checkpoint; "
        ),
        "{}",
        notes[0]
    );
    // Reworded (openings and connectives), the answers still read as their checkpoints.
    let (read, of) = notes[0]
        .rsplit_once(" rewordings")
        .and_then(|(head, _)| {
            let mut w = head.rsplit("; ").next()?.split(" of ");
            Some((
                w.next()?.parse::<usize>().ok()?,
                w.next()?.parse::<usize>().ok()?,
            ))
        })
        .unwrap_or_else(|| panic!("{}", notes[0]));
    assert!(of >= 37 && read * 10 >= of * 9, "{}", notes[0]);
    // Cues find most plain questions ("Could you tell me about the volume?") and few of the author's own
    // wordings, which are for the semantic reader; the note names eight misses and counts the rest.
    let found: usize = (notes[1].strip_prefix("the lexical reader answers "))
        .and_then(|rest| rest.split(" of ").next()?.parse().ok())
        .unwrap_or_else(|| panic!("{}", notes[1]));
    assert!(
        (10..99).contains(&found)
            && notes[1].contains(" of 99 plain questions")
            && notes[1].ends_with(&format!(" and {} more", 99 - found - 8)),
        "{}",
        notes[1]
    );
    // A model answer in words none of its checkpoint's cues know is named.
    let text = scenario::BUILTIN[0].1.replace(
        "answer = \"A time-based split, for example train on months 1-9 and validate on 10-11, leaving a gap so labels have matured, and no features computed from the future.\"",
        "answer = \"Keep the newest months aside for the final check.\"",
    );
    let changed = scenario::parse(&text, "fraud.toml", scenario::Origin::Builtin).unwrap();
    let note = &sim::read_back(&changed, &casecoach::reader::Lexical).unwrap()[0];
    assert!(
        note.starts_with(
            "the lexical reader reads 36 of 37 model answers as their own checkpoint; not: training.split; "
        ),
        "{note}"
    );
}

/// The strong candidate in its own words (openings, connectives and hedges changed from run to
/// run) is hired on every built-in scenario: the reading follows what is said, not the answer
/// key's sentences.
#[test]
fn a_strong_candidate_in_its_own_words_is_still_hired() {
    for sc in scenarios() {
        let mut said = BTreeSet::new();
        for seed in [1, 2, 3] {
            let s = sim::run_worded(
                Arc::new(scenario::load(sc).unwrap()),
                Persona::Strong,
                Mode::Interview,
                None,
                None,
                None,
                Arc::new(casecoach::reader::Lexical),
                Some(seed),
            )
            .unwrap();
            let rec = s.report.overall.recommendation.as_str();
            assert!(
                rec == "strong hire" || rec == "hire",
                "{sc} seed {seed}: {rec}"
            );
            let text: Vec<String> = (s.report.transcript.iter())
                .filter(|l| l.role == casecoach::interview::Role::Candidate)
                .map(|l| l.text.clone())
                .collect();
            said.insert(text.join("\n"));
        }
        assert_eq!(said.len(), 3, "{sc}: three seeds, three wordings");
    }
}
