//! `casecoach scenario new`: a complete scenario file with every stage and every framework
//! checkpoint in place, so an author fills in blanks instead of learning the format first.

use crate::framework::{CHECKPOINTS, InterviewType, Stage};
use std::fmt::Write;

/// Starter facts: the questions nearly every case gets, with cues that catch them.
/// Each scaffold fact: its id, its cues, what its answer should say, and the clarify
/// checkpoint asking for it shows.
const FACTS: &[(&str, &str, &str, &str)] = &[
    (
        "business-goal",
        r#""business goal", "goal", "objective", "trying to achieve", "why now""#,
        "what the business wants from this system",
        "clarify.business-objective",
    ),
    (
        "success",
        r#""measure success", "success metric*", "define success", "primary metric", "kpi""#,
        "how success is measured, and any target",
        "clarify.success-metrics",
    ),
    (
        "scale",
        r#""how many user*", "per second", "qps", "scale", "volume", "traffic""#,
        "users, requests per second at average and peak, data volume",
        "clarify.scale",
    ),
    (
        "latency",
        r#""latency", "how fast", "response time", "real time", "milliseconds""#,
        "the latency budget and where predictions are used",
        "clarify.constraints",
    ),
    (
        "data",
        r#""what data", "data do we have", "data * available", "what do we log", "historical data""#,
        "what is logged, for how long, and where",
        "clarify.data-availability",
    ),
    (
        "labels",
        r#""label*", "ground truth", "how do we know", "delay""#,
        "how labels are obtained, their quality and their delay",
        "clarify.data-availability",
    ),
    (
        "constraints",
        r#""constraint*", "interpretab*", "explain*", "regulat*", "privacy", "cost""#,
        "interpretability, regulation, privacy and cost constraints",
        "clarify.constraints",
    ),
    (
        "current-system",
        r#""current system", "current solution", "today", "existing", "baseline""#,
        "what runs today and how well it works",
        "clarify.business-objective",
    ),
];

/// The checkpoints a system-design round adds to the framework's: the architecture, the
/// numbers behind it, what breaks, and what it costs.
const DESIGN_CHECKPOINTS: &[(&str, &str, &str)] = &[
    (
        "deployment.components",
        "names the components end to end and the interfaces between them",
        r#""component*", "architecture", "candidate generation", "ranking service", "logging pipeline", "message queue""#,
    ),
    (
        "deployment.estimates",
        "estimates the load: requests per second, storage, lookups, compute",
        r#""back of the envelope", "requests a second", "order of magnitude", "storage", "terabyte*", "gigabyte*""#,
    ),
    (
        "deployment.failure-modes",
        "says what breaks and the fallback for each",
        r#""fallback", "falls back", "fail over", "failover", "circuit breaker", "degrade*", "outage""#,
    ),
    (
        "deployment.cost",
        "says what the system costs to run and how to cut it",
        r#""cost per", "cost to run", "cheaper model", "gpu hour*", "quantiz*", "cut the cost""#,
    ),
];

fn opening(stage: Stage) -> &'static str {
    match stage {
        Stage::Clarify => "Before you design anything, what would you like to know?",
        Stage::Frame => "How would you frame this as a machine-learning problem?",
        Stage::Data => "What data would you use, and what worries you about it?",
        Stage::Features => "What features would you build?",
        Stage::Model => "Which model would you choose?",
        Stage::Training => "How would you train and validate it?",
        Stage::Evaluation => "How would you know the model is good enough to ship?",
        Stage::Deployment => "How does this run in production?",
    }
}

/// The scaffold's text for scenario `id`.
pub fn render(id: &str, kind: InterviewType) -> String {
    let coding = kind == InterviewType::CodingMl;
    let design = kind == InterviewType::SystemDesign;
    let (minutes, split) = kind.shape();
    let in_round = |s: Stage| split[s.index()] > 0.0;
    let mut o = String::new();
    let _ = writeln!(
        o,
        r#"# A casecoach scenario. Replace every TODO, then check it:
#   casecoach scenario check {id}.toml      (errors and lints, with line and column)
#   casecoach scenario dry-run {id}.toml    (plays a strong and a weak candidate through it)
# AUTHORING.md explains each field; `casecoach scenario schema` gives editors a JSON Schema.

id = "{id}"
title = "TODO: a one-line title"
type = "{kind}"
minutes = {minutes}{task}
prompt = """
TODO: the problem as you would read it to the candidate. Keep the numbers out: they belong in
the hidden facts below, revealed only when the candidate asks.
"""
unplanned_answer = "We haven't decided that. Make a reasonable assumption, say it, and carry on."
# Terms candidates will say (metrics, model names, domain words), so voice mode's speech
# recogniser expects them, e.g. ["PR-AUC", "two-tower", "chargeback"].
vocabulary = []

[persona]
name = "TODO: a name"
role = "TODO: the interviewer's role"
style = "TODO: how they speak, for a model-backed interviewer"
greeting = "TODO: how they introduce themselves."
closing = "Thanks, that's all we have time for."
# What the interviewer says when the candidate asks about the team, the role or next steps.
about = "Happy to. We are a small team that ships its own models. Next, the recruiter will be in touch."
acknowledgements = ["Okay.", "Got it.", "Makes sense."]

# Minutes per stage for a {minutes}-minute session; they must add up to `minutes`.
[budget]"#,
        kind = kind.id(),
        task = if coding {
            format!(
                "\n# The coding task: a built-in one ({}), or a folder beside this file with\n\
                 # task.toml, cases.toml, reference.py and wrong.py (see AUTHORING.md).\ntask = \"pr-auc\"",
                crate::coding::builtin_ids().collect::<Vec<_>>().join(", ")
            )
        } else {
            String::new()
        },
    );
    for s in Stage::ALL {
        let _ = writeln!(o, "{} = {}", s.id(), split[s.index()]);
    }
    let _ = writeln!(o, "wrap_up = {}\n", split[8]);
    let _ = writeln!(
        o,
        "# ---- hidden facts: told when a question asks for them ----\n\
         # The cues catch the words; `questions = [\"...\"]` (optional) lists ways a candidate\n\
         # might ask in other words, which the semantic reader matches by meaning; a question\n\
         # that asks for a fact earns its `checkpoint`.\n"
    );
    for (fid, cues, about, checkpoint) in FACTS {
        let _ = writeln!(
            o,
            "[[facts]]\nid = \"{fid}\"\ncheckpoint = \"{checkpoint}\"\ncues = [{cues}]\nanswer = \"TODO: {about}.\"\n"
        );
    }
    let _ = writeln!(
        o,
        "# ---- stages: the opening question, follow-up probes, hints from gentle to strong ----\n"
    );
    for s in Stage::ALL.into_iter().filter(|&s| in_round(s)) {
        let first = CHECKPOINTS
            .iter()
            .find(|c| c.stage == s)
            .map(|c| c.id)
            .unwrap_or_default();
        let _ = writeln!(
            o,
            r#"[stages.{id}]
opening = "{opening}"
probes = [
  {{ text = "TODO: a follow-up to ask once {first} is covered.", after = "{first}" }},
  {{ text = "TODO: a follow-up for when the stage needs more." }},
]
hints = [
  "TODO: a gentle nudge for this stage.",
  "TODO: a stronger hint: {goal}.",
]
"#,
            id = s.id(),
            opening = opening(s),
            goal = s.goal(),
        );
    }
    let _ = writeln!(
        o,
        "[[curveballs]]\nstage = \"deployment\"\ntext = \"TODO: something that goes wrong in production. What does the candidate do?\"\n"
    );
    let _ = writeln!(
        o,
        "# A wrong move the interviewer challenges once; see AUTHORING.md.\n[[misconceptions]]\nid = \"random-split\"\nstage = \"training\"\ntitle = \"a random split of time-ordered data\"\ncues = [\"random split*\", \"randomly split*\", \"split * randomly\", \"shuffle the data\"]\nexamples = [\"We shuffle the data and split it 80/20.\"]\npushback = \"TODO: one question that makes the candidate see why that fails here.\"\ncorrection = \"TODO: what a strong candidate does instead.\"\n"
    );
    if design {
        let _ = writeln!(
            o,
            "# A back-of-the-envelope check: a number for `cues` outside low..high (widened by the\n\
             # factor `within`) is challenged; {{said}} is the candidate's number. Set the range\n\
             # from the scale fact.\n\
             [[misconceptions]]\nid = \"peak-qps\"\nstage = \"deployment\"\ntitle = \"a traffic estimate an order of magnitude off\"\n\
             estimate = {{ low = \"100\", high = \"2,000\", within = 3 }}\n\
             cues = [\"qps\", \"queries per second\", \"requests per second\", \"a second\"]\n\
             examples = [\"At peak that's around 50,000 requests per second.\"]\n\
             pushback = \"TODO: the arithmetic from the facts, then: where does {{said}} come from?\"\n\
             correction = \"TODO: the estimate worked out from the facts.\"\n"
        );
    }
    let _ = writeln!(
        o,
        "# ---- what a strong answer says, per checkpoint; `cues` adds the scenario's own words ----\n"
    );
    for c in CHECKPOINTS.iter().filter(|c| in_round(c.stage)) {
        // A system-design round weighs the data pipeline and serving more.
        let weight = if design && matches!(c.stage, Stage::Data | Stage::Deployment) {
            "weight = 1.5\n"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "[checkpoints.\"{id}\"]\n# The candidate {title}.\n{weight}cues = []\nanswer = \"TODO: the strong answer, in this scenario's terms.\"\n",
            id = c.id,
            title = c.title,
        );
    }
    if design {
        let _ = writeln!(
            o,
            "# ---- a system-design round's own checkpoints: components, numbers, failures, cost ----\n"
        );
        for (id, title, cues) in DESIGN_CHECKPOINTS {
            let _ = writeln!(
                o,
                "[checkpoints.\"{id}\"]\ntitle = \"{title}\"\nweight = 1.5\ncues = [{cues}]\nanswer = \"TODO: the strong answer, in this scenario's terms.\"\n"
            );
        }
    }
    if coding {
        let _ = writeln!(
            o,
            "# A coding round's rubric reads the cost of the solution from this checkpoint\n\
             # (code.complexity) and trade-offs from model.trade-offs. Give a framework\n\
             # checkpoint this round does not ask about `weight = 0`.\n\
             [checkpoints.\"deployment.complexity\"]\ntitle = \"states the time and memory cost\"\n\
             weight = 1.5\ncues = [\"n log n\", \"linear time\", \"quadratic\", \"time complexity\", \"memory cost\"]\n\
             answer = \"TODO: the solution's time and memory cost.\"\n"
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;

    #[test]
    fn a_fresh_scaffold_checks_clean_for_every_type() {
        for kind in [
            InterviewType::CaseStudy,
            InterviewType::SystemDesign,
            InterviewType::CodingMl,
        ] {
            let text = render("my-case", kind);
            let mut problems = scenario::check_text(&text, "my-case.toml");
            // Every TODO is a warning (so `check --strict` fails until they are gone), and the
            // only one.
            let todos = problems
                .iter()
                .filter(|p| p.message.contains("TODO"))
                .count();
            assert!(
                todos >= 30 && problems.iter().all(|p| p.warning),
                "{kind:?}: {todos}"
            );
            problems.retain(|p| !p.message.contains("TODO"));
            assert!(
                problems.is_empty(),
                "{kind:?}: {:#?}",
                problems.iter().map(|p| p.to_string()).collect::<Vec<_>>()
            );
            let s = scenario::parse(&text, "my-case.toml", scenario::Origin::Builtin).unwrap();
            assert_eq!((s.id.as_str(), s.kind, s.facts.len()), ("my-case", kind, 8));
            assert!(
                (0..s.checkpoints.len())
                    .all(|i| !s.asks_for(i) || s.checkpoints[i].answer.is_some())
            );
            assert_eq!(s.task.is_some(), kind == InterviewType::CodingMl);
            // Each type's real shape: its minutes, and a system-design round's own checkpoints
            // and back-of-the-envelope check.
            assert_eq!(s.minutes, kind.shape().0, "{kind:?}");
            let design = kind == InterviewType::SystemDesign;
            for (id, ..) in DESIGN_CHECKPOINTS {
                let c = s.checkpoints.iter().find(|c| c.id == *id);
                assert_eq!(c.map(|c| c.weight), design.then_some(1.5), "{kind:?} {id}");
            }
            assert_eq!(
                s.misconceptions.iter().any(|m| m.estimate.is_some()),
                design,
                "{kind:?}"
            );
        }
    }
}
