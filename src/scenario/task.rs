//! A coding round's task, as a scenario names it: resolved to a built-in task or a folder
//! beside the file, and checked by running its own solutions.

use super::Origin;
use super::Scenario;
use super::problem::Problems;
use crate::coding::Task;
use crate::framework::InterviewType;
use std::path::Path;
use std::sync::Arc;
use toml::Spanned;

/// The task a coding round names: built in, or a folder beside the scenario file.
pub(super) fn coding_task(
    raw: Option<Spanned<String>>,
    kind: InterviewType,
    origin: &Origin,
    p: &mut Problems,
) -> Option<Arc<Task>> {
    let coding = kind == InterviewType::CodingMl;
    let Some(raw) = raw else {
        if coding {
            let ids: Vec<&str> = crate::coding::builtin_ids().collect();
            p.at(
                p.key("type"),
                format!(
                    "a coding-ml scenario needs `task`: a built-in task id ({}) or a folder \
                     beside this file with task.toml, cases.toml, reference.py and wrong.py",
                    ids.join(", ")
                ),
            );
        }
        return None;
    };
    if !coding {
        p.at(
            raw.span(),
            "only a coding-ml scenario has a `task`; set type = \"coding-ml\"",
        );
        return None;
    }
    let name = raw.get_ref();
    let task = match (Task::builtin_named(name), origin) {
        (Some(task), _) => Ok(task),
        (None, Origin::File(file)) => {
            Task::load_dir(&file.parent().unwrap_or(Path::new(".")).join(name)).map(Arc::new)
        }
        (None, Origin::Builtin) => Err(anyhow::anyhow!("no built-in coding task '{name}'")),
    };
    match task {
        Ok(task) => Some(task),
        Err(e) => {
            p.at(raw.span(), format!("task '{name}': {e:#}"));
            None
        }
    }
}

/// A coding task is only as good as its tests: its reference solution must pass every case and
/// its plausible mistake must fail one. Checked by running both, so only `check` does it.
pub(super) fn task_runs(scenario: &Scenario, p: &mut Problems) {
    use crate::coding::{Suite, grade};
    let Some(task) = &scenario.task else {
        return;
    };
    let at = p.key("task");
    let limits = crate::runner::Limits::default();
    for suite in [Suite::Examples, Suite::Hidden] {
        match grade(task, &task.reference, suite, &limits) {
            Ok(g) if g.all_passed() => {}
            Ok(g) => {
                let failed: Vec<String> = (g.results.iter())
                    .filter(|r| r.verdict != crate::coding::Verdict::Passed)
                    .map(|r| format!("'{}'", r.name))
                    .collect();
                let why = match &g.load_error {
                    Some(e) => format!("does not load ({e})"),
                    None => format!("fails {}", failed.join(", ")),
                };
                p.at(
                    at.clone(),
                    format!("task '{}': reference.py {why}", task.id),
                );
            }
            Err(e) => p.at(
                at.clone(),
                format!("task '{}': cannot run python3: {e:#}", task.id),
            ),
        }
    }
    if let Ok(g) = grade(task, &task.wrong, Suite::Hidden, &limits)
        && g.all_passed()
    {
        p.at(
            at,
            format!(
                "task '{}': wrong.py passes every hidden case, so the cases cannot tell a mistake from a solution",
                task.id
            ),
        );
    }
}
