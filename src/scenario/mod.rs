//! Scenario files: the TOML format, loading (built-in, user folder, any path) and validation with
//! `file:line:col` positions. A scenario is someone else's data: it is size-limited, parsed, never
//! executed, and every error says where it is.

pub mod scaffold;

use crate::cue::CueSet;
use crate::framework::{self, InterviewType, Stage};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const BUILTIN: &[(&str, &str)] = &[
    ("fraud", include_str!("../../scenarios/fraud.toml")),
    (
        "recommendations",
        include_str!("../../scenarios/recommendations.toml"),
    ),
    ("churn", include_str!("../../scenarios/churn.toml")),
];

/// Largest scenario file we read; a real one is a few tens of KB.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

// ---- the file format ----------------------------------------------------------------------
// Doc comments here are the field descriptions of `casecoach scenario schema`.

/// A casecoach interview scenario.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "casecoach scenario")]
struct RawScenario {
    /// Short name used on the command line: lower-case letters, digits and '-'.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    id: Spanned<String>,
    /// One-line title shown at the start and in the debrief.
    title: String,
    /// Interview type: case-study, system-design or coding-ml.
    #[serde(rename = "type", default)]
    kind: InterviewType,
    /// The scenario's usual length in minutes: 45, 60 or 90.
    #[serde(default = "default_minutes")]
    #[schemars(with = "Spanned60")]
    minutes: Spanned<u32>,
    /// The problem as read to the candidate at the start. Reveal no hidden fact here.
    prompt: String,
    /// What the interviewer says to a question no hidden fact answers.
    unplanned_answer: String,
    /// Who the interviewer is.
    persona: RawPersona,
    /// Hidden facts, revealed only when a question matches one of their cues.
    #[serde(default)]
    facts: Vec<RawFact>,
    /// Per-stage lines, keyed by stage id (clarify, frame, data, features, model, training,
    /// evaluation, deployment).
    #[serde(default)]
    #[schemars(with = "RawStages")]
    stages: BTreeMap<Spanned<String>, RawStage>,
    /// Model answers, extra cues and the scenario's own checkpoints, keyed by checkpoint id
    /// (`<stage>.<name>`).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawCheckpoint>")]
    checkpoints: BTreeMap<Spanned<String>, RawCheckpoint>,
    /// Unexpected turns the interviewer throws in during a stage.
    #[serde(default)]
    curveballs: Vec<RawCurveball>,
    /// Minutes per stage for a session of `minutes`; they must add up to `minutes`. Default:
    /// the framework's split, scaled.
    #[schemars(with = "Option<RawBudget>")]
    budget: Option<Spanned<RawBudget>>,
    /// Terms a candidate is likely to say (metrics, model names, domain words). In voice mode
    /// they go to the speech recogniser as its prompt, so "PR-AUC" is not heard as "pure talk".
    #[serde(default)]
    vocabulary: Vec<String>,
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
struct RawPersona {
    /// The interviewer's name, shown before each line.
    name: String,
    /// Their role, for the greeting and for a model-backed interviewer.
    role: String,
    /// How they speak; guidance for a model-backed interviewer.
    #[serde(default)]
    style: String,
    /// The first thing they say.
    greeting: String,
    /// The last thing they say.
    #[serde(default)]
    closing: Option<String>,
    /// Short acknowledgements used before follow-up questions ("Okay.", "Makes sense.").
    #[serde(default)]
    acknowledgements: Vec<String>,
}

/// A hidden fact.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawFact {
    /// Unique id of the fact: lower-case letters, digits and '-'.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9-]+$"))]
    id: Spanned<String>,
    /// Phrases that unlock the fact when they appear in a candidate's question. A word ending
    /// in '*' matches any word it begins; a lone '*' allows a wider gap.
    #[schemars(with = "Vec<String>", length(min = 1))]
    cues: Spanned<Vec<String>>,
    /// What the interviewer says when the fact is asked for.
    answer: String,
}

/// What the interviewer says in one stage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawStage {
    /// The question that opens the stage.
    opening: Option<String>,
    /// Follow-up questions, asked once each.
    #[serde(default)]
    probes: Vec<RawProbe>,
    /// Hints from gentle to strong, given when the candidate is stuck or asks.
    #[serde(default)]
    hints: Vec<String>,
}

/// A follow-up question.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawProbe {
    /// The question.
    text: String,
    /// A checkpoint id: ask this right after the candidate covers it. Without it, the probe is
    /// asked when the stage needs more.
    #[schemars(with = "Option<String>")]
    after: Option<Spanned<String>>,
}

/// A checkpoint: one of the framework's 37 (to give its model answer and extra cues) or the
/// scenario's own (which needs a title and cues).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawCheckpoint {
    /// What a strong answer says; shown in the debrief when the checkpoint is missed.
    answer: Option<String>,
    /// Extra phrases that show the checkpoint, added to the framework's defaults.
    #[serde(default)]
    cues: Vec<String>,
    /// What the checkpoint asks of the candidate (required for a scenario's own checkpoint).
    title: Option<String>,
    /// Weight in the stage score, 0 to 5 (framework default 1 or 1.5).
    #[schemars(range(min = 0.0, max = 5.0))]
    weight: Option<f64>,
}

/// An unexpected turn in a stage.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawCurveball {
    /// The stage it belongs to.
    #[schemars(with = "String")]
    stage: Spanned<String>,
    /// A checkpoint id: throw it right after the candidate covers that checkpoint.
    #[schemars(with = "Option<String>")]
    after: Option<Spanned<String>>,
    /// What the interviewer says.
    text: String,
}

/// Minutes per stage and for the wrap-up.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    /// Minutes to clarify the problem.
    clarify: f64,
    /// Minutes to frame it as an ML problem.
    frame: f64,
    /// Minutes on data.
    data: f64,
    /// Minutes on feature engineering.
    features: f64,
    /// Minutes on model selection.
    model: f64,
    /// Minutes on the training strategy.
    training: f64,
    /// Minutes on evaluation.
    evaluation: f64,
    /// Minutes on deployment and monitoring.
    deployment: f64,
    /// The closing summary and the candidate's questions.
    wrap_up: f64,
}

/// The format reference as a Markdown table, generated from the schema so that the two cannot
/// drift apart (AUTHORING.md embeds it, and a test compares).
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

// ---- the validated model --------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Persona {
    pub name: String,
    pub role: String,
    pub style: String,
    pub greeting: String,
    pub closing: Option<String>,
    pub acknowledgements: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Fact {
    pub id: String,
    pub cues: CueSet,
    pub answer: String,
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub text: String,
    /// Index into `Scenario::checkpoints`: ask this once that checkpoint is covered.
    pub after: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct StagePlan {
    pub opening: Option<String>,
    pub probes: Vec<Probe>,
    pub hints: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub id: String,
    pub stage: Stage,
    pub title: String,
    pub weight: f64,
    pub cues: CueSet,
    pub answer: Option<String>,
    /// One of the 37 of FRAMEWORK.md (as opposed to a scenario's own).
    pub core: bool,
}

#[derive(Debug, Clone)]
pub struct Curveball {
    pub stage: Stage,
    pub after: Option<usize>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    File(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub kind: InterviewType,
    pub minutes: u32,
    pub prompt: String,
    pub unplanned_answer: String,
    pub persona: Persona,
    pub facts: Vec<Fact>,
    pub stages: [StagePlan; 8],
    /// The 37 framework checkpoints in FRAMEWORK.md order, then the scenario's own.
    pub checkpoints: Vec<Checkpoint>,
    pub curveballs: Vec<Curveball>,
    pub origin: Origin,
    /// Minutes per stage then wrap-up, for a session of `minutes`, when the file sets them.
    pub budget: Option<[f64; 9]>,
    /// FNV-1a of the source text, so a resumed session can tell the scenario changed under it.
    pub hash: String,
    /// Terms to prime a speech recogniser with.
    pub vocabulary: Vec<String>,
}

impl Scenario {
    pub fn stage(&self, s: Stage) -> &StagePlan {
        &self.stages[s.index()]
    }

    pub fn checkpoint_index(&self, id: &str) -> Option<usize> {
        self.checkpoints.iter().position(|c| c.id == id)
    }

    /// What to pass to `--scenario` or `chat` to load this scenario again.
    pub fn locator(&self) -> String {
        match &self.origin {
            Origin::Builtin => self.id.clone(),
            Origin::File(p) => p.display().to_string(),
        }
    }
}

// ---- errors -----------------------------------------------------------------------------------

/// One problem in a scenario file, with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    /// A lint: the scenario loads, but something in it cannot be reached or scored.
    pub warning: bool,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.warning { "warning: " } else { "" };
        write!(
            f,
            "{}:{}:{}: {kind}{}",
            self.file, self.line, self.col, self.message
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("unknown scenario '{name}'; known scenarios: {}", known.join(", "))]
    Unknown { name: String, known: Vec<String> },
    #[error("cannot read scenario file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}: the file is {size} bytes; scenario files are limited to {MAX_FILE_BYTES} bytes"
    )]
    TooLarge { path: String, size: u64 },
    #[error("{}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid { problems: Vec<Problem> },
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

struct Problems<'a> {
    file: &'a str,
    text: &'a str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn push(&mut self, span: Range<usize>, message: String, warning: bool) {
        let (line, col) = line_col(self.text, span.start);
        self.list.push(Problem {
            file: self.file.to_string(),
            line,
            col,
            message,
            warning,
        });
    }

    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.push(span, message.into(), false);
    }

    fn warn(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.push(span, message.into(), true);
    }

    /// Where a top-level key is written, for problems with no span of their own.
    fn key(&self, name: &str) -> Range<usize> {
        let at = self.text.lines().scan(0, |off, l| {
            let here = *off;
            *off += l.len() + 1;
            Some((here, l))
        });
        at.filter(|(_, l)| l.trim_start().starts_with(name))
            .map(|(o, _)| o..o)
            .next()
            .unwrap_or(0..0)
    }
}

// ---- loading ----------------------------------------------------------------------------------

/// Where user scenarios live: `$XDG_CONFIG_HOME/casecoach/scenarios`.
pub fn user_dir() -> Option<PathBuf> {
    crate::config::config_dir().map(|d| d.join("scenarios"))
}

/// Names a user can pass: built-ins plus the user folder's files.
pub fn known_ids() -> Vec<String> {
    let mut ids: Vec<String> = BUILTIN.iter().map(|(id, _)| id.to_string()).collect();
    if let Some(dir) = user_dir()
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        let mut user: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let p = e.path();
                if p.extension()? != "toml" {
                    return None;
                }
                Some(p.file_stem()?.to_string_lossy().into_owned())
            })
            .filter(|id| !ids.contains(id))
            .collect();
        user.sort();
        ids.extend(user);
    }
    ids
}

/// Load a scenario by built-in id, user-folder id, or path.
pub fn load(name: &str) -> Result<Scenario, LoadError> {
    if let Some((id, text)) = BUILTIN.iter().find(|(id, _)| *id == name) {
        return parse(text, &format!("<built-in {id}>"), Origin::Builtin);
    }
    let looks_like_path = name.contains('/') || name.ends_with(".toml") || Path::new(name).exists();
    if looks_like_path {
        return load_file(Path::new(name));
    }
    if let Some(dir) = user_dir() {
        let p = dir.join(format!("{name}.toml"));
        if p.exists() {
            return load_file(&p);
        }
    }
    Err(LoadError::Unknown {
        name: name.to_string(),
        known: known_ids(),
    })
}

pub fn load_file(path: &Path) -> Result<Scenario, LoadError> {
    let text = read_text(path)?;
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    parse(&text, &path.display().to_string(), Origin::File(abs))
}

/// A scenario file's text, refusing files that are too large or not UTF-8.
fn read_text(path: &Path) -> Result<String, LoadError> {
    let shown = path.display().to_string();
    let io = |source| LoadError::Io {
        path: shown.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge { path: shown, size });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let good = String::from_utf8_lossy(&e.as_bytes()[..bad]).into_owned();
            let (line, col) = line_col(&good, bad);
            let message = "the file is not valid UTF-8 text".into();
            let problem = Problem {
                file: shown,
                line,
                col,
                message,
                warning: false,
            };
            return Err(LoadError::Invalid {
                problems: vec![problem],
            });
        }
    };
    Ok(text)
}

/// Every error and lint of a scenario file, in file order.
pub fn check_file(path: &Path) -> Vec<Problem> {
    match read_text(path) {
        Ok(text) => check_text(&text, &path.display().to_string()),
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

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn build(raw: RawScenario, text: &str, origin: Origin, p: &mut Problems) -> Scenario {
    if !valid_id(raw.id.get_ref()) {
        p.at(
            raw.id.span(),
            "id must be lower-case letters, digits and '-'",
        );
    }
    // The 37 framework checkpoints always exist; the file adds answers, cues and its own ones.
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
    for (key, rc) in raw.checkpoints {
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
        if !valid_id(name) {
            p.at(key.span(), format!("checkpoint '{id}': the name after the stage must be lower-case letters, digits and '-'"));
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

    let find_checkpoint = |after: &Option<Spanned<String>>, p: &mut Problems| -> Option<usize> {
        let a = after.as_ref()?;
        let idx = checkpoints.iter().position(|c| c.id == *a.get_ref());
        if idx.is_none() {
            p.at(a.span(), format!("unknown checkpoint '{}'", a.get_ref()));
        }
        idx
    };

    let mut stages: [StagePlan; 8] = Default::default();
    let mut stage_spans: [Option<Range<usize>>; 8] = Default::default();
    for (key, rs) in raw.stages {
        if let Some(stage) = Stage::from_id(key.get_ref()) {
            stage_spans[stage.index()] = Some(key.span());
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
                let after = find_checkpoint(&rp.after, p);
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
                Probe {
                    text: rp.text,
                    after,
                }
            })
            .collect();
        stages[stage.index()] = StagePlan {
            opening: rs.opening,
            probes,
            hints: rs.hints,
        };
    }

    let mut facts = Vec::new();
    for rf in raw.facts {
        if !valid_id(rf.id.get_ref()) {
            p.at(
                rf.id.span(),
                "fact id must be lower-case letters, digits and '-'",
            );
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
        facts.push(Fact {
            id: rf.id.into_inner(),
            cues,
            answer: rf.answer,
        });
    }

    let mut curveballs = Vec::new();
    for rc in raw.curveballs {
        let Some(stage) = Stage::from_id(rc.stage.get_ref()) else {
            p.at(
                rc.stage.span(),
                format!("unknown stage '{}'", rc.stage.get_ref()),
            );
            continue;
        };
        let after = find_checkpoint(&rc.after, p);
        curveballs.push(Curveball {
            stage,
            after,
            text: rc.text,
        });
    }

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
    let budget = raw.budget.and_then(|b| {
        let span = b.span();
        let b = b.into_inner();
        let all = [b.clarify, b.frame, b.data, b.features, b.model, b.training, b.evaluation, b.deployment, b.wrap_up];
        if all.iter().any(|m| !(0.0..=90.0).contains(m)) {
            p.at(span, "every budget must be between 0 and 90 minutes");
            return None;
        }
        let sum: f64 = all.iter().sum();
        if (sum - minutes as f64).abs() > 0.01 {
            p.at(span, format!("the stage budgets add up to {sum} minutes, but the scenario is {minutes} minutes"));
            return None;
        }
        Some(all)
    });

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
            acknowledgements: raw.persona.acknowledgements,
        },
        facts,
        stages,
        checkpoints,
        curveballs,
        origin,
        hash: fnv1a(text),
        vocabulary: raw
            .vocabulary
            .iter()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    };
    lint(&scenario, &stage_spans, &checkpoint_spans, p);
    scenario
}

/// At most this many hidden facts in one scenario, and characters in one text.
const MAX_FACTS: usize = 100;
const MAX_TEXT: usize = 4000;
/// A run of this many words shared by a model answer and what the interviewer reads out is a leak.
const LEAK_WORDS: usize = 6;

fn word_runs(text: &str, n: usize) -> std::collections::HashMap<Vec<String>, String> {
    let toks = crate::cue::Tokens::new(text).tokens;
    toks.windows(n)
        .map(|w| {
            let key = w.iter().map(|t| t.stem.clone()).collect();
            (key, text[w[0].span.start..w[n - 1].span.end].to_string())
        })
        .collect()
}

/// What no one could reach or score, or what gives the game away. Warnings, not errors: the
/// scenario still runs.
fn lint(
    s: &Scenario,
    stage_spans: &[Option<Range<usize>>; 8],
    checkpoint_spans: &BTreeMap<String, Range<usize>>,
    p: &mut Problems,
) {
    for stage in Stage::ALL {
        let plan = s.stage(stage);
        let Some(span) = stage_spans[stage.index()].clone() else {
            p.warn(
                0..0,
                format!(
                    "stage '{stage}' has no [stages.{stage}] table: no opening, probes or hints"
                ),
            );
            continue;
        };
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
        let mut seen = std::collections::HashSet::new();
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
    // Everything the interviewer reads out unprompted: no model answer may show through it.
    let mut read_out: Vec<(String, &str)> = vec![("the prompt".into(), s.prompt.as_str())];
    for stage in Stage::ALL {
        let plan = s.stage(stage);
        if let Some(o) = &plan.opening {
            read_out.push((format!("the {stage} opening"), o));
        }
        for probe in &plan.probes {
            read_out.push((format!("a {stage} probe"), &probe.text));
        }
    }
    for c in &s.curveballs {
        read_out.push((format!("a {} curveball", c.stage), &c.text));
    }
    let runs: Vec<(String, std::collections::HashMap<Vec<String>, String>)> = read_out
        .iter()
        .map(|(w, t)| (w.clone(), word_runs(t, LEAK_WORDS)))
        .collect();
    for c in &s.checkpoints {
        let span = checkpoint_spans.get(&c.id).cloned().unwrap_or(0..0);
        let Some(answer) = &c.answer else {
            p.warn(
                span,
                format!(
                    "checkpoint '{}' has no model answer, so a miss cannot be explained",
                    c.id
                ),
            );
            continue;
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
        for (key, _) in word_runs(answer, LEAK_WORDS) {
            if let Some((where_, said)) = runs
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

pub fn fnv1a(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match parse(text, "s.toml", Origin::Builtin) {
            Ok(_) => vec![],
            Err(LoadError::Invalid { problems }) => {
                problems.iter().map(|p| p.to_string()).collect()
            }
            Err(e) => vec![e.to_string()],
        }
    }

    const MINIMAL: &str = r#"id = "mini"
title = "Mini"
prompt = "Design it."
unplanned_answer = "Assume something reasonable."
[persona]
name = "A"
role = "B"
greeting = "Hi."
"#;

    #[test]
    fn builtins_are_complete() {
        for (id, _) in BUILTIN {
            let s = load(id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(s.facts.len() >= 8, "{id}: {} facts", s.facts.len());
            for st in Stage::ALL {
                let plan = s.stage(st);
                assert!(plan.opening.is_some(), "{id} {st}: no opening");
                assert!(
                    plan.probes.len() >= 2,
                    "{id} {st}: {} probes",
                    plan.probes.len()
                );
                assert!(
                    plan.hints.len() >= 2,
                    "{id} {st}: {} hints",
                    plan.hints.len()
                );
            }
            for c in &s.checkpoints {
                assert!(c.answer.is_some(), "{id}: no model answer for {}", c.id);
            }
            assert!(!s.curveballs.is_empty(), "{id}: no curveball");
        }
    }

    #[test]
    fn a_minimal_file_loads_with_all_framework_checkpoints() {
        let s = parse(MINIMAL, "s.toml", Origin::Builtin).unwrap();
        assert_eq!(s.checkpoints.len(), 37);
        assert_eq!(s.minutes, 60);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let bad = MINIMAL.replace("title = \"Mini\"", "title = \"Mini");
        let p = problems(&bad);
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("s.toml:2:"), "{p:?}");
    }

    #[test]
    fn type_and_unknown_field_errors_have_positions() {
        let p = problems(&MINIMAL.replace("title = \"Mini\"", "title = 3"));
        assert!(p[0].starts_with("s.toml:2:9:"), "{p:?}");
        let p = problems(&format!("{MINIMAL}colour = \"red\"\n"));
        assert!(p[0].contains("unknown field `colour`"), "{p:?}");
    }

    #[test]
    fn semantic_errors_point_at_the_key() {
        let text = format!(
            "{MINIMAL}[stages.clarfy]\nopening = \"x\"\n[checkpoints.\"data.bogus\"]\nanswer = \"y\"\n[[facts]]\nid = \"f\"\ncues = []\nanswer = \"z\"\n"
        );
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|m| m.starts_with("s.toml:9:9: unknown stage 'clarfy'")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("s.toml:11:14:") && m.contains("needs a title")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("s.toml:15:8:") && m.contains("no cues")),
            "{p:?}"
        );
    }

    #[test]
    fn malformed_cues_are_reported() {
        let text =
            format!("{MINIMAL}[[facts]]\nid = \"f\"\ncues = [\"sign*ed in\"]\nanswer = \"z\"\n");
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|m| m.starts_with("s.toml:11:8:") && m.contains("'*' may only end a word")),
            "{p:?}"
        );
    }

    #[test]
    fn a_cue_of_numbers_alone_is_an_error() {
        let text =
            format!("{MINIMAL}[checkpoints.\"deployment.scalability\"]\ncues = [\"2,000\"]\n");
        let p = problems(&text);
        assert!(p.iter().any(|m| m.contains("is only numbers")), "{p:?}");
    }

    #[test]
    fn probes_must_follow_known_checkpoints() {
        let text = format!(
            "{MINIMAL}[stages.data]\nprobes = [{{ text = \"q\", after = \"data.labelling\" }}]\n"
        );
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|m| m.contains("unknown checkpoint 'data.labelling'")
                    && m.starts_with("s.toml:10:")),
            "{p:?}"
        );
    }

    #[test]
    fn unknown_names_list_known_ones() {
        let e = load("fruad").unwrap_err().to_string();
        assert!(
            e.contains("unknown scenario 'fruad'") && e.contains("fraud, recommendations, churn"),
            "{e}"
        );
    }

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
    fn warnings_do_not_stop_a_scenario_from_loading() {
        let s = parse(MINIMAL, "s.toml", Origin::Builtin).unwrap();
        assert_eq!(s.id, "mini");
        assert!(check_text(MINIMAL, "s.toml").iter().all(|p| p.warning));
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
    }
}
