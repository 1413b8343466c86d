//! Lints: what no candidate could reach or score, or what gives a model answer away. They are
//! warnings, except for text too long to use, which is an error.

use super::problem::Problems;
use super::{Checkpoint, Scenario, StagePlan};
use crate::framework::Stage;
use crate::framework::StageMap;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

/// At most this many characters in one text.
const MAX_TEXT: usize = 4000;
/// A run of this many words shared by a model answer and what the interviewer reads out is a leak.
const LEAK_WORDS: usize = 6;

/// Runs of words by their stems, each with the text it came from.
type WordRuns = HashMap<Vec<String>, String>;

fn word_runs(text: &str, n: usize) -> WordRuns {
    let toks = crate::cue::Tokens::new(text).tokens;
    toks.windows(n)
        .map(|w| {
            let key = w.iter().map(|t| t.stem.clone()).collect();
            (key, text[w[0].span.start..w[n - 1].span.end].to_string())
        })
        .collect()
}

/// What no one could reach or score, or what gives the game away. Most of these are warnings,
/// since the scenario still runs with them; text over `MAX_TEXT` characters is an error, so that
/// an oversized file is refused instead of becoming a slow interview.
pub(super) fn lint(
    s: &Scenario,
    stage_spans: &StageMap<Option<Range<usize>>>,
    checkpoint_spans: &BTreeMap<String, Range<usize>>,
    p: &mut Problems,
) {
    for stage in Stage::ALL {
        match stage_spans[stage].clone() {
            Some(span) if !s.in_round(stage) => p.warn(
                span,
                format!(
                    "stage '{stage}' has no minutes in the budget, so this table is never used"
                ),
            ),
            Some(span) => lint_stage(stage, s.stage(stage), span, p),
            None if !s.in_round(stage) => {}
            None => p.warn(
                0..0,
                format!(
                    "stage '{stage}' has no [stages.{stage}] table: no opening, probes or hints"
                ),
            ),
        }
    }
    let runs = read_out_runs(s);
    // A checkpoint that weighs nothing, or whose stage the round leaves out, is never missed.
    for c in (s.checkpoints.iter()).filter(|c| c.weight > 0.0 && s.in_round(c.stage)) {
        let span = checkpoint_spans.get(&c.id).cloned().unwrap_or(0..0);
        lint_answer(c, span, &runs, p);
    }
    lint_coding_round(s, p);
    lint_shared_cues(s, checkpoint_spans, p);
    lint_misconceptions(s, p);
    lint_facts(s, p);
    lint_lengths(s, p);
    lint_todos(p);
}

/// A coding round's debrief reads the solution's cost from `deployment.complexity` and its
/// trade-offs from `model.trade-offs`: without them, `code.complexity` and `code.trade-offs`
/// could never be earned.
fn lint_coding_round(s: &Scenario, p: &mut Problems) {
    if s.kind != crate::framework::InterviewType::CodingMl {
        return;
    }
    for id in ["deployment.complexity", "model.trade-offs"] {
        let asked = (s.checkpoints.iter().enumerate()).any(|(i, c)| c.id == id && s.asks_for(i));
        if !asked {
            p.warn(
                p.key("type"),
                format!("a coding round needs checkpoint '{id}' with a weight above 0 and its stage in the budget: the code rubric reads it"),
            );
        }
    }
}

/// A cue the scenario gives one checkpoint that another checkpoint also has: any sentence with
/// it credits both, so a candidate gets two checkpoints for one point. The framework's own
/// defaults are not the author's to fix, so only cues the file adds are reported.
fn lint_shared_cues(
    s: &Scenario,
    checkpoint_spans: &BTreeMap<String, Range<usize>>,
    p: &mut Problems,
) {
    let norm = |cue: &str| {
        cue.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let asked: Vec<&Checkpoint> = (s.checkpoints.iter().enumerate())
        .filter(|(i, _)| s.asks_for(*i))
        .map(|(_, c)| c)
        .collect();
    let mut reported = HashSet::new();
    for c in &asked {
        let defaults: HashSet<String> = (crate::framework::CHECKPOINTS.iter())
            .find(|d| d.id == c.id)
            .map(|d| d.cues.iter().map(|x| norm(x)).collect())
            .unwrap_or_default();
        for cue in &c.cues.cues {
            let cue = norm(&cue.text);
            if defaults.contains(&cue) {
                continue;
            }
            let other = asked
                .iter()
                .find(|o| o.id != c.id && o.cues.cues.iter().any(|x| norm(&x.text) == cue));
            if let Some(o) = other
                && reported.insert((
                    c.id.clone().min(o.id.clone()),
                    c.id.clone().max(o.id.clone()),
                    cue.clone(),
                ))
            {
                p.warn(
                    checkpoint_spans.get(&c.id).cloned().unwrap_or(0..0),
                    format!(
                        "checkpoints '{}' and '{}' share the cue \"{cue}\": one sentence with it would credit both",
                        c.id, o.id
                    ),
                );
            }
        }
    }
}

/// A scaffold's `TODO` left in a value: the scenario loads, but says "TODO" to a candidate.
/// Comments may keep theirs.
fn lint_todos(p: &mut Problems) {
    let mut found = Vec::new();
    let mut offset = 0;
    for line in p.text.split_inclusive('\n') {
        let code = line.trim_start();
        if !code.starts_with('#')
            && let Some(at) = line.find("TODO")
        {
            found.push(offset + at);
        }
        offset += line.len();
    }
    for at in found {
        p.warn(at..at + 4, "a scaffold TODO is still here");
    }
}

/// An example that reads as a question or as knowing better could never be read as the mistake,
/// by cues or by meaning; and a misconception whose cues catch none of its examples is never
/// challenged without the embedding model. Other examples the cues miss are what the semantic
/// reader is for: it finds the mistake by nearness to them, so more wordings serve it.
fn lint_misconceptions(s: &Scenario, p: &mut Problems) {
    for m in &s.misconceptions {
        let mut caught = false;
        for example in &m.examples {
            let tokens = crate::cue::Tokens::new(example);
            let question = crate::cue::is_question(example, &tokens);
            let cued = m.stated(example, &tokens);
            // Nearness holds back on a sign of knowing better anywhere in the sentence; cues
            // only on one around their match.
            if question || (!cued && m.known_better(&tokens)) {
                p.warn(
                    p.key("[[misconceptions]]"),
                    format!(
                        "misconception '{}': its example \"{}\" reads as {}, so it is never read as the mistake",
                        m.id,
                        crate::screen::safe(example),
                        if question { "a question" } else { "knowing better (a negation, a warning or an `unless` phrase)" }
                    ),
                );
            }
            caught |= !question && cued;
        }
        if !caught && !m.examples.is_empty() {
            p.warn(
                p.key("[[misconceptions]]"),
                format!(
                    "misconception '{}': its cues catch none of its examples, so without the embedding model it is never challenged",
                    m.id
                ),
            );
        }
    }
}

/// A fact's example question that does not read as a question is never looked up, since only
/// questions are; and a fact that names no checkpoint leaves the questions that find it without
/// clarify credit, unless their words show one.
fn lint_facts(s: &Scenario, p: &mut Problems) {
    for f in &s.facts {
        for q in &f.questions {
            if !crate::cue::is_question(q, &crate::cue::Tokens::new(q)) {
                p.warn(
                    p.key("[[facts]]"),
                    format!(
                        "fact '{}': its question \"{}\" does not read as a question, so it is never matched; add a question mark or start it with a question word",
                        f.id,
                        crate::screen::safe(q)
                    ),
                );
            }
        }
        if f.checkpoint.is_none() && s.in_round(Stage::Clarify) {
            p.warn(
                p.key("[[facts]]"),
                format!(
                    "fact '{}' names no `checkpoint`, so asking for it earns no clarify checkpoint by itself",
                    f.id
                ),
            );
        }
    }
}

fn lint_stage(stage: Stage, plan: &StagePlan, span: Range<usize>, p: &mut Problems) {
    if plan.opening.is_none() {
        p.warn(span.clone(), format!("stage '{stage}' has no opening line"));
    }
    if plan.probes.is_empty() {
        p.warn(
            span.clone(),
            format!("stage '{stage}' has no probes, so the interviewer cannot follow up"),
        );
    }
    if plan.hints.is_empty() {
        p.warn(
            span.clone(),
            format!("stage '{stage}' has no hints for a stuck candidate"),
        );
    }
    let mut seen = HashSet::new();
    for probe in &plan.probes {
        if !seen.insert(probe.text.trim()) {
            p.warn(
                span.clone(),
                format!(
                    "stage '{stage}' asks the same probe twice: \"{}\"",
                    probe.text.trim()
                ),
            );
        }
    }
}

/// Everything the interviewer reads out unprompted, by where it stands: no model answer may show
/// through it.
fn read_out_runs(s: &Scenario) -> Vec<(String, WordRuns)> {
    let mut read_out: Vec<(String, &str)> = vec![("the prompt".into(), s.prompt.as_str())];
    for stage in Stage::ALL {
        let plan = s.stage(stage);
        if let Some(o) = &plan.opening {
            read_out.push((format!("the {stage} opening"), o));
        }
        for probe in &plan.probes {
            read_out.push((format!("{} {stage} probe", article(stage)), &probe.text));
        }
        // A hint may point the way, but a stuck candidate handed the model answer's words
        // would be credited with them.
        for hint in &plan.hints {
            read_out.push((format!("{} {stage} hint", article(stage)), hint));
        }
    }
    for c in &s.curveballs {
        read_out.push((
            format!("{} {} curveball", article(c.stage), c.stage),
            &c.text,
        ));
    }
    read_out
        .iter()
        .map(|(w, t)| (w.clone(), word_runs(t, LEAK_WORDS)))
        .collect()
}

fn article(stage: Stage) -> &'static str {
    if stage.id().starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A checkpoint's model answer: there to explain a miss, short enough to use, and not given away
/// by anything in `read_out`.
fn lint_answer(
    c: &Checkpoint,
    span: Range<usize>,
    read_out: &[(String, WordRuns)],
    p: &mut Problems,
) {
    let Some(answer) = &c.answer else {
        p.warn(
            span,
            format!(
                "checkpoint '{}' has no model answer, so a miss cannot be explained",
                c.id
            ),
        );
        return;
    };
    if answer.chars().count() > MAX_TEXT {
        p.at(
            span.clone(),
            format!(
                "the model answer of '{}' is over {MAX_TEXT} characters",
                c.id
            ),
        );
    }
    // One leak is enough to send the author looking; every run of it would only repeat it.
    for (key, _) in word_runs(answer, LEAK_WORDS) {
        if let Some((where_, said)) = read_out
            .iter()
            .find_map(|(w, r)| r.get(&key).map(|said| (w, said)))
        {
            p.warn(
                span.clone(),
                format!(
                    "the model answer of '{}' shows through {where_}: \"{said}\"",
                    c.id
                ),
            );
            break;
        }
    }
}

fn lint_lengths(s: &Scenario, p: &mut Problems) {
    for f in &s.facts {
        if f.answer.chars().count() > MAX_TEXT {
            p.at(
                p.key("[[facts]]"),
                format!(
                    "the answer of fact '{}' is over {MAX_TEXT} characters",
                    f.id
                ),
            );
        }
    }
    if s.prompt.chars().count() > MAX_TEXT {
        p.at(
            p.key("prompt"),
            format!("the prompt is over {MAX_TEXT} characters"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{BUILTIN, MINIMAL, Origin, check_text, parse};

    fn lints(text: &str) -> Vec<String> {
        check_text(text, "s.toml")
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    fn has(list: &[String], needle: &str) -> bool {
        list.iter().any(|l| l.contains(needle))
    }

    #[test]
    fn built_in_scenarios_are_lint_clean() {
        for (id, text) in BUILTIN {
            assert_eq!(check_text(text, id), vec![], "{id}");
        }
    }

    #[test]
    fn a_fact_question_that_does_not_ask_or_a_fact_without_a_checkpoint_is_a_warning() {
        let fraud = BUILTIN[0].1;
        let text = fraud
            .replace("checkpoint = \"clarify.scale\"\n", "")
            .replace(
                "\"How busy does the payment flow get?\"",
                "\"so we get a lot of payments on black friday\", \"so um how busy does it get\"",
            );
        let l = lints(&text);
        assert!(
            has(
                &l,
                "fact 'volume': its question \"so we get a lot of payments on black friday\" does not read as a question"
            ),
            "{l:?}"
        );
        assert!(!has(&l, "how busy"), "{l:?}");
        assert!(has(&l, "fact 'volume' names no `checkpoint`"), "{l:?}");
    }

    #[test]
    fn each_lint_fires_on_a_file_made_to_trip_it() {
        let fraud = BUILTIN[0].1;
        // Duplicate ids: a key given twice is reported where the second one stands.
        let dup = fraud.replace(
            "[stages.data]\nopening",
            "[stages.data]\nhints = []\nopening",
        );
        let l = lints(&dup);
        assert!(
            l.len() == 1 && l[0].starts_with("s.toml:") && l[0].contains("duplicate key `hints`"),
            "{l:?}"
        );
        let unknown = fraud.replace("[stages.frame]", "[stages.framing]");
        assert!(has(&lints(&unknown), "unknown stage 'framing'"));

        let minimal = format!("{MINIMAL}[stages.data]\nopening = \"What data?\"\n");
        let l = lints(&minimal);
        assert!(
            has(&l, "warning: stage 'clarify' has no [stages.clarify] table"),
            "{l:?}"
        );
        assert!(
            has(&l, "s.toml:9:9: warning: stage 'data' has no probes"),
            "{l:?}"
        );
        assert!(has(&l, "warning: stage 'data' has no hints"), "{l:?}");
        assert!(
            has(
                &l,
                "warning: checkpoint 'data.labeling' has no model answer"
            ),
            "{l:?}"
        );

        // A model answer that the prompt gives away.
        let leaky = fraud.replace(
            "Walk me through how you would design it.",
            "Walk me through it. Hint: a time-based split, for example train on months 1-9 and validate on 10-11.",
        );
        let l = lints(&leaky);
        assert!(
            has(
                &l,
                "warning: the model answer of 'training.split' shows through the prompt"
            ),
            "{l:?}"
        );

        // The same probe twice.
        let twice = fraud.replace(
            "{ text = \"Why not a random split?\", after = \"training.split\" },",
            "{ text = \"Why not a random split?\", after = \"training.split\" },\n  { text = \"Why not a random split?\" },",
        );
        assert!(
            has(&lints(&twice), "asks the same probe twice"),
            "{:?}",
            lints(&twice)
        );

        // A curveball that follows a checkpoint of another stage.
        let astray = fraud.replace(
            "stage = \"deployment\"\nafter = \"deployment.serving\"",
            "stage = \"deployment\"\nafter = \"data.quality\"",
        );
        assert!(
            has(
                &lints(&astray),
                "warning: curveball of stage 'deployment' follows 'data.quality', a checkpoint of stage 'data'"
            ),
            "{:?}",
            lints(&astray)
        );

        // Budgets that do not add up are an error.
        let budget = format!(
            "{MINIMAL}[budget]\nclarify = 8\nframe = 5\ndata = 7\nfeatures = 7\nmodel = 8\ntraining = 6\nevaluation = 7\ndeployment = 7\nwrap_up = 9\n"
        );
        let l = lints(&budget);
        assert!(
            has(
                &l,
                "s.toml:9:1: the stage budgets add up to 64 minutes, but the scenario is 60 minutes"
            ),
            "{l:?}"
        );
        assert!(parse(&budget, "s.toml", Origin::Builtin).is_err());

        // Oversized text is an error, not a slow interview.
        let long = fraud.replacen(
            "answer = \"Ask what we protect",
            &format!("answer = \"{} Ask what we protect", "x".repeat(5000)),
            1,
        );
        assert!(has(&lints(&long), "is over 4000 characters"));
    }

    #[test]
    fn a_cue_two_checkpoints_share_is_reported_once_at_the_files_own() {
        let shared = format!(
            "{MINIMAL}[checkpoints.\"clarify.success-metrics\"]\ncues = [\"weekly cancellations\"]\n\
             [checkpoints.\"evaluation.business-metrics\"]\ncues = [\"weekly  Cancellations\", \"ctr\"]\n"
        );
        let l = lints(&shared);
        let found: Vec<&String> = l.iter().filter(|l| l.contains("share the cue")).collect();
        // "weekly cancellations" twice in the file: once. "ctr" is already a framework cue of
        // evaluation.business-metrics, so adding it again shares nothing.
        assert_eq!(found.len(), 1, "{l:?}");
        assert!(
            found[0].contains("'clarify.success-metrics' and 'evaluation.business-metrics' share the cue \"weekly cancellations\""),
            "{found:?}"
        );
        // A cue only the framework gives two checkpoints is not the file's to fix.
        assert!(!has(&lints(MINIMAL), "share the cue"));
    }

    #[test]
    fn a_hint_that_hands_over_the_model_answer_is_reported() {
        let answer = "Train on the first nine months and validate on the last three.";
        let text = format!(
            "{MINIMAL}[stages.training]\nopening = \"How?\"\nprobes = [{{ text = \"Why?\" }}]\n\
             hints = [\"Think about time.\", \"For example: train on the first nine months and validate on the rest.\"]\n\
             [checkpoints.\"training.split\"]\nanswer = \"{answer}\"\n"
        );
        let l = lints(&text);
        assert!(
            has(
                &l,
                "s.toml:13:14: warning: the model answer of 'training.split' shows through a training hint"
            ),
            "{l:?}"
        );
    }

    #[test]
    fn a_coding_round_without_the_checkpoints_its_rubric_reads_is_reported() {
        let (_, text) = BUILTIN
            .iter()
            .find(|(id, _)| *id == "coding-pr-auc")
            .unwrap();
        let start = text
            .find("[checkpoints.\"deployment.complexity\"]")
            .unwrap();
        let end = text[start..].find("\n\n").map_or(text.len(), |n| start + n);
        let without = format!("{}{}", &text[..start], &text[end..]);
        let l = lints(&without);
        assert!(
            has(
                &l,
                "a coding round needs checkpoint 'deployment.complexity'"
            ),
            "{l:?}"
        );
        assert!(!has(&lints(text), "a coding round needs"));
    }

    #[test]
    fn warnings_do_not_stop_a_scenario_from_loading() {
        let s = parse(MINIMAL, "s.toml", Origin::Builtin).unwrap();
        assert_eq!(s.id, "mini");
        assert!(check_text(MINIMAL, "s.toml").iter().all(|p| p.warning));
    }
}
