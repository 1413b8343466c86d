//! The file format as written: serde types that keep every key's position (`Spanned`) so that
//! validation can point at it, and the JSON Schema and Markdown reference generated from them.
//! Doc comments on the fields are the descriptions users read, in both.

use crate::framework::{InterviewType, Stage};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A casecoach interview scenario.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "casecoach scenario")]
pub(super) struct RawScenario {
    /// Short name used on the command line: lower-case letters, digits and '-'.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    pub(super) id: Spanned<String>,
    /// One-line title shown at the start and in the debrief.
    pub(super) title: String,
    /// Interview type: case-study, system-design or coding-ml.
    #[serde(rename = "type", default)]
    pub(super) kind: InterviewType,
    /// The scenario's usual length in minutes: 45, 60 or 90.
    #[serde(default = "default_minutes")]
    #[schemars(with = "Spanned60")]
    pub(super) minutes: Spanned<u32>,
    /// The problem as read to the candidate at the start. Reveal no hidden fact here.
    pub(super) prompt: String,
    /// What the interviewer says to a question no hidden fact answers.
    pub(super) unplanned_answer: String,
    /// Who the interviewer is.
    pub(super) persona: RawPersona,
    /// Hidden facts, revealed only when a question matches one of their cues.
    #[serde(default)]
    pub(super) facts: Vec<RawFact>,
    /// Per-stage lines, keyed by stage id (clarify, frame, data, features, model, training,
    /// evaluation, deployment).
    #[serde(default)]
    #[schemars(with = "RawStages")]
    pub(super) stages: BTreeMap<Spanned<String>, RawStage>,
    /// Model answers, extra cues and the scenario's own checkpoints, keyed by checkpoint id
    /// (`<stage>.<name>`).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawCheckpoint>")]
    pub(super) checkpoints: BTreeMap<Spanned<String>, RawCheckpoint>,
    /// Unexpected turns the interviewer throws in during a stage.
    #[serde(default)]
    pub(super) curveballs: Vec<RawCurveball>,
    /// Wrong moves a candidate is likely to make here, each with the words that give it away:
    /// the interviewer challenges one once when the candidate makes it, and the debrief names it.
    #[serde(default)]
    pub(super) misconceptions: Vec<RawMisconception>,
    /// Minutes per stage for a session of `minutes`; they must add up to `minutes`. Default:
    /// the framework's split, scaled.
    #[schemars(with = "Option<RawBudget>")]
    pub(super) budget: Option<Spanned<RawBudget>>,
    /// A coding-ml round's coding task: a built-in task id (pr-auc, ndcg, target-encoding, time-split, kmeans) or a folder, relative
    /// to this file, holding task.toml, cases.toml, reference.py and wrong.py.
    #[schemars(with = "Option<String>")]
    pub(super) task: Option<Spanned<String>>,
    /// Terms a candidate is likely to say (metrics, model names, domain words). In voice mode
    /// they go to the speech recogniser as its prompt, so "PR-AUC" is not heard as "pure talk".
    #[serde(default)]
    pub(super) vocabulary: Vec<String>,
}

// Only for the schema: `minutes` is one of three lengths.
#[derive(JsonSchema)]
#[allow(dead_code)]
#[schemars(extend("enum" = [45, 60, 90]))]
struct Spanned60(u32);

// Only for the schema: the stage tables by name.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawStages {
    clarify: Option<RawStage>,
    frame: Option<RawStage>,
    data: Option<RawStage>,
    features: Option<RawStage>,
    model: Option<RawStage>,
    training: Option<RawStage>,
    evaluation: Option<RawStage>,
    deployment: Option<RawStage>,
}

fn default_minutes() -> Spanned<u32> {
    Spanned::new(0..0, 60)
}

/// The interviewer's persona.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPersona {
    /// The interviewer's name, shown before each line.
    pub(super) name: String,
    /// Their role, for the greeting and for a model-backed interviewer.
    pub(super) role: String,
    /// How they speak; guidance for a model-backed interviewer.
    #[serde(default)]
    pub(super) style: String,
    /// The first thing they say.
    pub(super) greeting: String,
    /// The last thing they say.
    #[serde(default)]
    pub(super) closing: Option<String>,
    /// What they answer when the candidate asks about the team, the role or what happens
    /// next, at the close of the interview.
    #[serde(default)]
    pub(super) about: Option<String>,
    /// Short acknowledgements used before follow-up questions ("Okay.", "Makes sense.").
    #[serde(default)]
    pub(super) acknowledgements: Vec<String>,
}

/// A hidden fact.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFact {
    /// Unique id of the fact: lower-case letters, digits and '-'.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    pub(super) id: Spanned<String>,
    /// Phrases that unlock the fact when they appear in a candidate's question. A word ending
    /// in '*' matches the forms of a word that begins so; a lone '*' allows a wider gap.
    #[schemars(with = "Vec<String>", length(min = 1))]
    pub(super) cues: Spanned<Vec<String>>,
    /// What the interviewer says when the fact is asked for.
    pub(super) answer: String,
    /// Questions a candidate might ask for this fact, in words of their own (the semantic
    /// reader answers a question near one of these with this fact). Optional; a few varied
    /// phrasings that avoid the cue words help most.
    #[serde(default)]
    pub(super) questions: Vec<String>,
    /// The clarify checkpoint asking for this fact shows (one of the framework's, or one of
    /// this scenario's own clarify checkpoints): a question the reader takes to ask for the
    /// fact earns it, however it is worded. Optional.
    #[schemars(with = "Option<String>")]
    pub(super) checkpoint: Option<Spanned<String>>,
}

/// What the interviewer says in one stage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStage {
    /// The question that opens the stage.
    pub(super) opening: Option<String>,
    /// Follow-up questions, asked once each.
    #[serde(default)]
    pub(super) probes: Vec<RawProbe>,
    /// Hints from gentle to strong, given when the candidate is stuck or asks.
    #[serde(default)]
    pub(super) hints: Vec<String>,
}

/// A follow-up question.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProbe {
    /// The question.
    pub(super) text: String,
    /// A checkpoint id: ask this right after the candidate covers it. Without it, the probe is
    /// asked when the stage needs more.
    #[schemars(with = "Option<String>")]
    pub(super) after: Option<Spanned<String>>,
    /// Phrases of a claim this question follows up ("smote", "oversampl*", or "# ms" for a
    /// number of milliseconds): ask it right after the candidate states one in this stage,
    /// quoting their words. Not when the sentence asks, waves the topic away or negates it.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub(super) when: Option<Spanned<Vec<String>>>,
}

/// A checkpoint: one of the framework's 37 (to give its model answer and extra cues) or the
/// scenario's own (which needs a title and cues).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheckpoint {
    /// What a strong answer says; shown in the debrief when the checkpoint is missed.
    pub(super) answer: Option<String>,
    /// Extra phrases that show the checkpoint, added to the framework's defaults.
    #[serde(default)]
    pub(super) cues: Vec<String>,
    /// What the checkpoint asks of the candidate (required for a scenario's own checkpoint).
    pub(super) title: Option<String>,
    /// Weight in the stage score, 0 to 5 (framework default 1 or 1.5).
    #[schemars(range(min = 0.0, max = 5.0))]
    pub(super) weight: Option<f64>,
}

/// An unexpected turn in a stage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCurveball {
    /// The stage it belongs to.
    #[schemars(with = "String")]
    pub(super) stage: Spanned<String>,
    /// A checkpoint id: throw it right after the candidate covers that checkpoint.
    #[schemars(with = "Option<String>")]
    pub(super) after: Option<Spanned<String>>,
    /// What the interviewer says.
    pub(super) text: String,
}

/// A wrong move: what gives it away, how the interviewer challenges it, and what is right.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMisconception {
    /// Unique id: lower-case letters, digits and '-'.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    pub(super) id: Spanned<String>,
    /// The stage it belongs to.
    #[schemars(with = "String")]
    pub(super) stage: Spanned<String>,
    /// The mistake in a few words, as the debrief names it.
    pub(super) title: String,
    /// Phrases that state the mistake ("optimi* * accuracy", "random split"). A sentence that
    /// matches one states it, unless it is a question, waves the topic away, or shows that the
    /// candidate knows better (a negation, "misleading", "leak", or one of `unless`).
    #[schemars(with = "Vec<String>", length(min = 1))]
    pub(super) cues: Spanned<Vec<String>>,
    /// Phrases that show the sentence knows better, on top of the general ones.
    #[serde(default)]
    pub(super) unless: Vec<String>,
    /// Sentences a candidate might say that make the mistake, in as many wordings as you can:
    /// the semantic reader finds the mistake by nearness to them. `scenario check` warns when the
    /// cues catch none, or one reads as knowing better; the simulated candidate who makes
    /// mistakes says the first.
    #[schemars(with = "Vec<String>", length(min = 1))]
    pub(super) examples: Spanned<Vec<String>>,
    /// What the interviewer says to challenge it, once; a question that makes the candidate
    /// see the problem ("What does accuracy look like if we approve everything?").
    pub(super) pushback: String,
    /// What a strong candidate says instead; shown in the debrief.
    pub(super) correction: String,
    /// Makes this a back-of-the-envelope check: a statement that puts a number next to one of
    /// `cues` states the mistake when the number lies outside this range, widened by `within`.
    #[serde(default)]
    #[schemars(with = "Option<RawEstimate>")]
    pub(super) estimate: Option<Spanned<RawEstimate>>,
}

/// The range a candidate's estimate should fall in, from the scenario's facts.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEstimate {
    /// The lowest right answer, as written: "100", "2.5 million", "40k", "3 TB".
    pub(super) low: String,
    /// The highest right answer, in the same unit (a count, or bytes).
    pub(super) high: String,
    /// How far outside [low, high] a number may stray and still pass, as a factor (default 3):
    /// with 3, anything from low / 3 to high x 3 passes.
    pub(super) within: Option<f64>,
}

/// Minutes per stage and for the wrap-up.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBudget {
    /// Minutes to clarify the problem.
    pub(super) clarify: f64,
    /// Minutes to frame it as an ML problem.
    pub(super) frame: f64,
    /// Minutes on data.
    pub(super) data: f64,
    /// Minutes on feature engineering.
    pub(super) features: f64,
    /// Minutes on model selection.
    pub(super) model: f64,
    /// Minutes on the training strategy.
    pub(super) training: f64,
    /// Minutes on evaluation.
    pub(super) evaluation: f64,
    /// Minutes on deployment and monitoring.
    pub(super) deployment: f64,
    /// The closing summary and the candidate's questions.
    pub(super) wrap_up: f64,
}

/// The framework's checkpoints, stage by stage, with the cues every scenario starts from:
/// AUTHORING.md embeds it, so an author sees what already earns each checkpoint before adding
/// words of their own.
pub fn cues_reference() -> String {
    let mut o = String::new();
    for stage in crate::framework::Stage::ALL {
        o.push_str(&format!("\n**{}** (`{}`)\n\n", stage.name(), stage.id()));
        o.push_str("| checkpoint | weight | default cues |\n|---|---|---|\n");
        for c in crate::framework::CHECKPOINTS
            .iter()
            .filter(|c| c.stage == stage)
        {
            let cues: Vec<String> = c.cues.iter().map(|q| format!("`{q}`")).collect();
            o.push_str(&format!(
                "| `{}`: {} | {} | {} |\n",
                c.id,
                c.title.replace('|', "/"),
                c.weight,
                cues.join(", ")
            ));
        }
    }
    o
}

pub fn schema_reference() -> String {
    let root = schema();
    let mut rows = vec![
        "| key | type | | meaning |".to_string(),
        "|---|---|---|---|".to_string(),
    ];
    walk(&root, &root, "", true, &mut rows);
    rows.join("\n") + "\n"
}

fn resolve<'a>(root: &'a serde_json::Value, v: &'a serde_json::Value) -> &'a serde_json::Value {
    if let Some(r) = v.get("$ref").and_then(|r| r.as_str()) {
        let name = r.trim_start_matches("#/$defs/");
        return resolve(root, &root["$defs"][name]);
    }
    if let Some(any) = v.get("anyOf").and_then(|a| a.as_array())
        && let Some(real) = any
            .iter()
            .find(|x| x.get("type").and_then(|t| t.as_str()) != Some("null"))
    {
        return resolve(root, real);
    }
    v
}

fn type_name(root: &serde_json::Value, v: &serde_json::Value) -> String {
    let r = resolve(root, v);
    if let Some(values) = r.get("enum").and_then(|e| e.as_array()) {
        let names: Vec<String> = values
            .iter()
            .map(|x| x.to_string().trim_matches('"').to_string())
            .collect();
        return format!("one of {}", names.join(", "));
    }
    let t = match &r["type"] {
        serde_json::Value::Array(ts) => ts
            .iter()
            .filter_map(|x| x.as_str())
            .find(|x| *x != "null")
            .unwrap_or("")
            .to_string(),
        other => other.as_str().unwrap_or("").to_string(),
    };
    match t.as_str() {
        "array" => format!("list of {}", type_name(root, &r["items"])),
        "string" => "text".into(),
        "integer" => "whole number".into(),
        "object" => "table".into(),
        other => other.into(),
    }
}

fn walk(
    root: &serde_json::Value,
    v: &serde_json::Value,
    path: &str,
    required: bool,
    rows: &mut Vec<String>,
) {
    let r = resolve(root, v);
    let desc = v
        .get("description")
        .or_else(|| r.get("description"))
        .and_then(|d| d.as_str())
        .unwrap_or("");
    let desc = desc
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|");
    if !path.is_empty() {
        let need = if required { "required" } else { "optional" };
        rows.push(format!(
            "| `{path}` | {} | {need} | {desc} |",
            type_name(root, v)
        ));
    }
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    if let Some(props) = r.get("properties").and_then(|p| p.as_object()) {
        let req: Vec<&str> = r
            .get("required")
            .and_then(|x| x.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        let targets: std::collections::BTreeSet<String> = props
            .values()
            .map(|p| resolve(root, p).to_string())
            .collect();
        if props.len() > 3 && targets.len() == 1 && path == "stages" {
            // One table per stage, all alike: describe it once.
            let any = props.values().next().unwrap_or(&serde_json::Value::Null);
            walk(root, any, &join("<stage>"), false, rows);
            return;
        }
        for (k, p) in props {
            walk(root, p, &join(k), req.contains(&k.as_str()), rows);
        }
    } else if let Some(item) = r.get("additionalProperties").filter(|a| a.is_object()) {
        walk(root, item, &join("<id>"), false, rows);
    } else if r["type"] == "array" && resolve(root, &r["items"]).get("properties").is_some() {
        let items = resolve(root, &r["items"]);
        let req: Vec<&str> = items
            .get("required")
            .and_then(|x| x.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        for (k, p) in items["properties"].as_object().into_iter().flatten() {
            walk(
                root,
                p,
                &format!("{path}[].{k}"),
                req.contains(&k.as_str()),
                rows,
            );
        }
    }
}

/// The JSON Schema of scenario files, for editors and for checking them.
pub fn schema() -> serde_json::Value {
    let mut v = serde_json::to_value(schemars::schema_for!(RawScenario)).unwrap_or_default();
    // Checkpoint ids are `<stage>.<name>`; say so where editors can check it.
    let stages = Stage::ALL.map(|s| s.id()).join("|");
    v["properties"]["checkpoints"]["propertyNames"] =
        serde_json::json!({ "pattern": format!("^({stages})\\.[a-z0-9-]+$") });
    v
}
