//! Coding tasks: what a Coding + ML round asks the candidate to implement, and the grading of a
//! solution by running it (through `runner`) against the task's visible examples or its hidden
//! cases. The candidate learns which hidden cases failed (their name and category) but never
//! their inputs, as in a real round.
//!
//! A task is a folder: `task.toml` (statement, signature, visible examples, the discussion the
//! interviewer leads), `cases.toml` (the hidden cases), `reference.py` (passes every case) and
//! `wrong.py` (a plausible mistake the cases must catch). The built-in ones are compiled in.

use crate::runner::{self, Limits, Outcome};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// One call of the candidate's function and what it must give.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Case {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub category: String,
    /// The positional arguments.
    pub args: Vec<Value>,
    /// The value to return (numbers compared with a relative tolerance of 1e-6)...
    #[serde(default)]
    pub expected: Option<Value>,
    /// ...or the exception to raise (by class name, or a base class's).
    #[serde(default)]
    pub raises: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskFile {
    id: String,
    title: String,
    function: String,
    signature: String,
    statement: String,
    #[serde(default)]
    discussion: Vec<String>,
    examples: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CasesFile {
    cases: Vec<Case>,
}

/// A coding task.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    pub title: String,
    /// The function the candidate writes.
    pub function: String,
    pub signature: String,
    pub statement: String,
    /// What the interviewer asks once the code runs.
    pub discussion: Vec<String>,
    pub examples: Vec<Case>,
    pub hidden: Vec<Case>,
    /// A solution that passes every case, and one with a plausible mistake that must not.
    pub reference: String,
    pub wrong: String,
}

/// A task file larger than this is refused, like an oversized scenario.
const MAX_TASK_FILE: u64 = 1 << 20;

/// A built-in task's files, compiled in from `scenarios/coding/<id>/`.
macro_rules! builtin_task {
    ($id:literal) => {
        [
            $id,
            include_str!(concat!("../scenarios/coding/", $id, "/task.toml")),
            include_str!(concat!("../scenarios/coding/", $id, "/cases.toml")),
            include_str!(concat!("../scenarios/coding/", $id, "/reference.py")),
            include_str!(concat!("../scenarios/coding/", $id, "/wrong.py")),
        ]
    };
}

/// The built-in tasks' files: id, task.toml, cases.toml, reference.py, wrong.py.
const BUILTIN: &[[&str; 5]] = &[
    builtin_task!("pr-auc"),
    builtin_task!("ndcg"),
    builtin_task!("target-encoding"),
    builtin_task!("time-split"),
    builtin_task!("kmeans"),
];

/// The built-in tasks' ids, as a scenario's `task` names them.
pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|[id, ..]| *id)
}

impl Task {
    /// A task from its files' texts; `origin` names it in errors.
    pub fn parse(
        origin: &str,
        task: &str,
        cases: &str,
        reference: &str,
        wrong: &str,
    ) -> Result<Task> {
        let t: TaskFile =
            toml::from_str(task).with_context(|| format!("{origin}/task.toml does not parse"))?;
        let c: CasesFile =
            toml::from_str(cases).with_context(|| format!("{origin}/cases.toml does not parse"))?;
        let name = |mut cases: Vec<Case>, what: &str| {
            for (i, c) in cases.iter_mut().enumerate() {
                if c.name.is_empty() {
                    c.name = format!("{what} {}", i + 1);
                }
            }
            cases
        };
        for case in t.examples.iter().chain(&c.cases) {
            if case.expected.is_some() == case.raises.is_some() {
                bail!(
                    "{origin}: case '{}' needs exactly one of `expected` and `raises`",
                    case.name
                );
            }
        }
        Ok(Task {
            id: t.id,
            title: t.title,
            function: t.function,
            signature: t.signature,
            statement: t.statement.trim().to_string(),
            discussion: t.discussion,
            examples: name(t.examples, "example"),
            hidden: name(c.cases, "case"),
            reference: reference.to_string(),
            wrong: wrong.to_string(),
        })
    }

    /// A task from its folder.
    pub fn load_dir(dir: &std::path::Path) -> Result<Task> {
        let read = |name: &str| {
            let path = dir.join(name);
            let meta = std::fs::metadata(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if meta.len() > MAX_TASK_FILE {
                bail!("{} is over {MAX_TASK_FILE} bytes", path.display());
            }
            std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))
        };
        Task::parse(
            &dir.display().to_string(),
            &read("task.toml")?,
            &read("cases.toml")?,
            &read("reference.py")?,
            &read("wrong.py")?,
        )
    }

    /// The built-in task called `id`, parsed once per process: every built-in coding
    /// scenario names one, and `scenario list` loads them all.
    pub fn builtin_named(id: &str) -> Option<Arc<Task>> {
        static PARSED: OnceLock<Vec<Arc<Task>>> = OnceLock::new();
        let parsed = PARSED.get_or_init(|| {
            // A built-in that does not parse is caught by the tests; here it is only absent.
            Task::builtin().map_or_else(|_| Vec::new(), |v| v.into_iter().map(Arc::new).collect())
        });
        parsed.iter().find(|t| t.id == id).cloned()
    }

    /// The tasks that ship with casecoach.
    pub fn builtin() -> Result<Vec<Task>> {
        BUILTIN
            .iter()
            .map(|[id, task, cases, reference, wrong]| {
                Task::parse(
                    &format!("scenarios/coding/{id}"),
                    task,
                    cases,
                    reference,
                    wrong,
                )
            })
            .collect()
    }
}

/// Which cases a run uses: `/run` the visible examples, `/submit` the hidden cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Suite {
    Examples,
    Hidden,
}

/// What became of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "result")]
pub enum Verdict {
    Passed,
    /// A wrong value, or the wrong exception or none: what was wrong, without the inputs.
    Failed {
        why: String,
    },
    /// The run ended (a timeout, a crash, a limit) before this case.
    NotRun,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    pub name: String,
    pub category: String,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// A solution graded on one suite.
#[derive(Debug, Clone)]
pub struct Grade {
    pub results: Vec<CaseResult>,
    /// How the run ended (a solution that loops forever ends `TimedOut`).
    pub outcome: Outcome,
    /// The solution could not even be loaded (a syntax error, no such function): why.
    pub load_error: Option<String>,
    /// What the solution printed itself, cut to the runner's bound.
    pub printed: String,
    /// The function's shape, read from its source; none when it could not be read.
    pub shape: Option<Shape>,
    /// Whether the run was cut off from the network.
    pub network: runner::Network,
}

/// What the code of the function shows, beside whether it works: what an interviewer reads
/// for production quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct Shape {
    /// Every parameter and the return value carry a type hint.
    pub typed: bool,
    /// It has a docstring.
    pub documented: bool,
    /// It raises on bad input somewhere (input validation).
    pub validates: bool,
}

impl Grade {
    pub fn passed(&self) -> usize {
        (self.results.iter())
            .filter(|r| r.verdict == Verdict::Passed)
            .count()
    }

    pub fn all_passed(&self) -> bool {
        self.load_error.is_none() && self.passed() == self.results.len()
    }
}

/// A graded run as the session log keeps it: the counts, the cases that did not pass (name,
/// category and why, never the inputs), the code's shape, and the code itself, so the debrief
/// can quote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeRun {
    pub suite: Suite,
    pub passed: usize,
    pub total: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<CaseResult>,
    /// How the run ended, in words ("finished", "stopped at the time limit", ...).
    pub ended: String,
    /// It did not finish by itself: a limit stopped it, or it crashed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<Shape>,
    pub source: String,
}

/// At most this much of a solution is kept in the log.
pub const MAX_SOURCE: usize = 32 * 1024;

impl CodeRun {
    pub fn new(suite: Suite, grade: &Grade, source: &str) -> CodeRun {
        CodeRun {
            suite,
            passed: grade.passed(),
            total: grade.results.len(),
            failed: (grade.results.iter())
                .filter(|r| r.verdict != Verdict::Passed)
                .cloned()
                .collect(),
            ended: grade.outcome.to_string(),
            stopped: grade.outcome != Outcome::Exited(0),
            load_error: grade.load_error.clone(),
            shape: grade.shape,
            source: source[..source.floor_char_boundary(MAX_SOURCE)].to_string(),
        }
    }

    pub fn all_passed(&self) -> bool {
        self.load_error.is_none() && self.passed == self.total
    }

    /// The code did not load, or the run did not finish.
    pub fn broken(&self) -> bool {
        self.load_error.is_some() || self.stopped
    }

    /// The categories of the cases that did not pass, each once, in case order.
    pub fn failing_categories(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.failed {
            if !c.category.is_empty() && !out.contains(&c.category) {
                out.push(c.category.clone());
            }
        }
        out
    }
}

/// The harness that runs inside the sandbox: it loads the solution, calls the function on each
/// case and prints one marked line per case as soon as it is done, so a solution that hangs on
/// one case still reports the cases before it.
const HARNESS: &str = r#"
import importlib.util, json, math, sys
marker = sys.argv[1]
task = json.load(open("cases.json"))
def report(obj):
    sys.stdout.flush()
    sys.__stdout__.write("\n" + marker + " " + json.dumps(obj) + "\n")
    sys.__stdout__.flush()
try:
    import ast
    tree = ast.parse(open("solution.py").read())
    defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == task["function"]]
    if defs:
        f = defs[0]
        params = f.args.posonlyargs + f.args.args + f.args.kwonlyargs
        report({"shape": {
            "typed": all(a.annotation is not None for a in params) and f.returns is not None,
            "documented": ast.get_docstring(f) is not None,
            "validates": any(isinstance(n, ast.Raise) for n in ast.walk(f)),
        }})
except BaseException:
    pass
try:
    spec = importlib.util.spec_from_file_location("solution", "solution.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = getattr(module, task["function"])
except BaseException as e:
    report({"load_error": type(e).__name__ + ": " + str(e)[:200]})
    sys.exit(0)
def same(got, want):
    if isinstance(want, bool) or want is None:
        return got == want
    if isinstance(want, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return False
        return math.isfinite(got) and abs(got - want) <= 1e-6 * max(1.0, abs(want))
    if isinstance(want, list):
        return isinstance(got, (list, tuple)) and len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    return got == want
for i, case in enumerate(task["cases"]):
    try:
        got = fn(*case["args"])
        raised = None
    except Exception as e:
        got, raised = None, e
    if case.get("raises"):
        names = [c.__name__ for c in type(raised).__mro__] if raised else []
        ok = case["raises"] in names
        why = "" if ok else ("raised " + type(raised).__name__ if raised else "returned instead of raising " + case["raises"])
    elif raised is not None:
        ok, why = False, "raised " + type(raised).__name__ + ": " + str(raised)[:120]
    else:
        ok = same(got, case["expected"])
        if ok:
            why = ""
        elif task.get("show"):
            why = "returned " + repr(got)[:80] + ", expected " + repr(case["expected"])[:80]
        else:
            why = "returned a wrong value"
    report({"case": i, "ok": ok, "why": why})
"#;

/// Run `solution` (Python source) on `suite` within `limits`.
pub fn grade(task: &Task, solution: &str, suite: Suite, limits: &Limits) -> Result<Grade> {
    let cases = match suite {
        Suite::Examples => &task.examples,
        Suite::Hidden => &task.hidden,
    };
    // An example's values are in the task the candidate reads, so a wrong one may say what it
    // returned and what was wanted; a hidden case's may not.
    let show = suite == Suite::Examples;
    let input =
        serde_json::json!({ "function": task.function, "cases": cases, "show": show }).to_string();
    // A marker the solution cannot guess from the task, so its own prints are never read as
    // results.
    let marker = format!("casecoach-result-{:016x}", marker_seed());
    let run = runner::run(
        "python3",
        &["-I", "harness.py", &marker],
        &[
            ("harness.py", HARNESS),
            ("solution.py", solution),
            ("cases.json", &input),
        ],
        limits,
    )?;
    let mut verdicts: Vec<Verdict> = vec![Verdict::NotRun; cases.len()];
    let mut load_error = None;
    let mut printed = String::new();
    let mut shape_seen = None;
    for line in run.stdout.lines() {
        let Some(json) = line.strip_prefix(&marker).map(str::trim) else {
            printed.push_str(line);
            printed.push('\n');
            continue;
        };
        let Ok(v) = serde_json::from_str::<Value>(json) else {
            continue;
        };
        if let Ok(shape) = serde_json::from_value::<Shape>(v["shape"].clone()) {
            shape_seen = Some(shape);
        } else if let Some(e) = v["load_error"].as_str() {
            load_error = Some(e.to_string());
        } else if let Some(i) = v["case"].as_u64().map(|i| i as usize)
            && i < verdicts.len()
        {
            verdicts[i] = match v["ok"].as_bool() {
                Some(true) => Verdict::Passed,
                _ => Verdict::Failed {
                    why: v["why"].as_str().unwrap_or("failed").to_string(),
                },
            };
        }
    }
    Ok(Grade {
        results: (cases.iter().zip(verdicts))
            .map(|(c, verdict)| CaseResult {
                name: c.name.clone(),
                category: c.category.clone(),
                verdict,
            })
            .collect(),
        outcome: run.outcome,
        load_error,
        printed: printed.trim().to_string(),
        shape: shape_seen,
        network: run.network,
    })
}

fn marker_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits() -> Limits {
        Limits {
            wall: Duration::from_secs(10),
            ..Limits::default()
        }
    }

    #[test]
    fn every_reference_passes_its_suite_and_every_wrong_solution_fails_it() {
        for task in Task::builtin().unwrap() {
            assert!(
                task.hidden.len() >= 10,
                "{}: {} hidden cases",
                task.id,
                task.hidden.len()
            );
            for suite in [Suite::Examples, Suite::Hidden] {
                let g = grade(&task, &task.reference, suite, &limits()).unwrap();
                assert!(
                    g.all_passed(),
                    "{} {suite:?}: {:?} {:?}",
                    task.id,
                    g.results,
                    g.load_error
                );
            }
            // The references are written as the round asks: typed, documented, validating.
            let g = grade(&task, &task.reference, Suite::Examples, &limits()).unwrap();
            let shape = Shape {
                typed: true,
                documented: true,
                validates: true,
            };
            assert_eq!(g.shape, Some(shape), "{}", task.id);
            let g = grade(&task, &task.wrong, Suite::Hidden, &limits()).unwrap();
            assert!(
                g.load_error.is_none() && !g.all_passed(),
                "{}: the wrong solution passes",
                task.id
            );
            // The failures name the case and its category, never its inputs.
            let failed: Vec<&CaseResult> = (g.results.iter())
                .filter(|r| matches!(r.verdict, Verdict::Failed { .. }))
                .collect();
            assert!(!failed.is_empty() && failed.iter().all(|r| !r.category.is_empty()));
        }
    }

    /// A wrong value on an example says what came back and what was wanted, as a candidate
    /// debugging at the keyboard needs; on a hidden case it says only that it was wrong.
    #[test]
    fn a_wrong_example_shows_its_values_and_a_hidden_case_does_not() {
        let task = Task::builtin().unwrap().remove(0);
        let wrong = format!("def {}(*args):\n    return -7.5\n", task.function);
        let why = |suite| {
            let g = grade(&task, &wrong, suite, &limits()).unwrap();
            (g.results.into_iter())
                .find_map(|r| match r.verdict {
                    Verdict::Failed { why } => Some(why),
                    _ => None,
                })
                .expect("a case fails")
        };
        let example = why(Suite::Examples);
        assert!(example.starts_with("returned -7.5, expected "), "{example}");
        assert_eq!(why(Suite::Hidden), "returned a wrong value");
    }

    #[test]
    fn a_hanging_or_broken_solution_is_reported_and_the_cases_before_it_stand() {
        let task = Task::builtin().unwrap().remove(0);
        let hangs = format!(
            "{}\n_calls = [0]\n_inner = {}\ndef {}(*args):\n    _calls[0] += 1\n    if _calls[0] == 3:\n        while True:\n            pass\n    return _inner(*args)\n",
            task.reference, task.function, task.function
        );
        let quick = Limits {
            wall: Duration::from_secs(2),
            ..Limits::default()
        };
        let g = grade(&task, &hangs, Suite::Hidden, &quick).unwrap();
        assert_eq!(g.outcome, Outcome::TimedOut);
        assert_eq!(g.results[0].verdict, Verdict::Passed, "{:?}", g.results);
        assert_eq!(g.results[1].verdict, Verdict::Passed, "{:?}", g.results);
        assert!(g.results[2..].iter().all(|r| r.verdict == Verdict::NotRun));
        let g = grade(&task, "def pr_auc(:\n", Suite::Examples, &limits()).unwrap();
        assert!(
            g.load_error
                .as_deref()
                .is_some_and(|e| e.starts_with("SyntaxError")),
            "{g:?}"
        );
        // An untyped, undocumented function that checks nothing says so.
        let bare = format!("def {}(scores, labels):\n    return 0.5\n", task.function);
        let g = grade(&task, &bare, Suite::Examples, &limits()).unwrap();
        let shape = Shape {
            typed: false,
            documented: false,
            validates: false,
        };
        assert_eq!(g.shape, Some(shape));
        let g = grade(&task, "def other(): pass\n", Suite::Examples, &limits()).unwrap();
        assert!(
            g.load_error
                .as_deref()
                .is_some_and(|e| e.contains("AttributeError")),
            "{g:?}"
        );
    }

    #[test]
    fn a_solution_that_prints_or_forges_results_is_not_believed() {
        let task = Task::builtin().unwrap().remove(0);
        let forger = format!(
            "def {}(*args):\n    print('casecoach-result-0000000000000000 {{\"case\": 0, \"ok\": true}}')\n    return -1.0\n",
            task.function
        );
        let g = grade(&task, &forger, Suite::Examples, &limits()).unwrap();
        assert_eq!(g.passed(), 0, "{:?}", g.results);
        assert!(g.printed.contains("casecoach-result-0000000000000000"));
    }
}
