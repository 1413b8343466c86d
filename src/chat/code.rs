//! A coding round in the chat: the solution file the candidate writes in their own editor, and
//! its runs on the task's visible examples (`/run`) and hidden cases (`/submit`). The results
//! are logged, shown to the candidate, and a submission is reviewed by the interviewer.

use super::{Chat, notice};
use crate::coding::{self, CodeRun, Suite, Task, Verdict};
use crate::interview::Action;
use crate::interview::director::Request;
use crate::runner::Limits;
use crate::session::Event;
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The most writing time one run counts: a candidate who left the terminal for an hour has
/// not been coding for all of it.
const MAX_WRITING: f64 = 20.0 * 60.0;

/// What the candidate sees of the task: the statement, the signature, the examples, and how to
/// write and run their code.
pub fn task_card(task: &Task, solution: &Path) -> String {
    let mut s = format!(
        "── Coding task: {} ──\n{}\n\n{}\n\nExamples:\n",
        task.title, task.statement, task.signature
    );
    for e in &task.examples {
        let args: Vec<String> = e.args.iter().map(|a| a.to_string()).collect();
        let want = match (&e.expected, &e.raises) {
            (Some(v), _) => format!("-> {v}"),
            (None, Some(r)) => format!("raises {r}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(s, "  {}({}) {want}", task.function, args.join(", "));
    }
    let _ = write!(
        s,
        "\nYour solution file: {}\n/edit opens it in $VISUAL or $EDITOR · /run runs the examples · \
         /submit runs the hidden tests · /task shows this again. Keep talking through your approach \
         as you go.",
        solution.display()
    );
    s
}

/// A new solution file: the signature and a docstring to fill in.
fn starter(task: &Task) -> String {
    format!(
        "{}\n    \"\"\"TODO: describe what this returns, and what it raises.\"\"\"\n    raise NotImplementedError\n",
        task.signature.trim_end()
    )
}

/// The editor to open: $VISUAL, then $EDITOR, then the first common one installed.
fn editor() -> Option<String> {
    let set = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    set("VISUAL").or_else(|| set("EDITOR")).or_else(|| {
        ["nano", "vim", "vi"]
            .into_iter()
            .find(|e| on_path(e))
            .map(str::to_string)
    })
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// How a run went, for the candidate: every case of the examples; for the hidden cases, the
/// count and the cases that failed by name and category, never their inputs.
pub fn run_report(run: &CodeRun, network: Option<&str>) -> String {
    let what = match run.suite {
        Suite::Examples => "examples",
        Suite::Hidden => "hidden tests",
    };
    let mut s = String::new();
    if let Some(e) = &run.load_error {
        let _ = writeln!(s, "Your code does not load: {e}");
    }
    let _ = writeln!(
        s,
        "{what}: {} of {} passed ({})",
        run.passed, run.total, run.ended
    );
    let mut not_run = 0;
    for c in &run.failed {
        match &c.verdict {
            Verdict::Failed { why } => {
                let _ = writeln!(s, "  ✗ {} [{}]: {why}", c.name, c.category);
            }
            Verdict::NotRun => not_run += 1,
            Verdict::Passed => {}
        }
    }
    if not_run > 0 && run.load_error.is_none() {
        let _ = writeln!(
            s,
            "  {not_run} case(s) not run: the run {} first",
            run.ended
        );
    }
    if let Some(shape) = run.shape {
        let mark = |b: bool| if b { "yes" } else { "no" };
        let _ = writeln!(
            s,
            "  type hints: {} · docstring: {} · raises on bad input: {}",
            mark(shape.typed),
            mark(shape.documented),
            mark(shape.validates)
        );
    }
    if let Some(why) = network {
        let _ = writeln!(
            s,
            "  (note: the run could not be cut off from the network: {why})"
        );
    }
    s.trim_end().to_string()
}

impl Chat {
    pub(super) fn task(&self) -> Option<Arc<Task>> {
        self.iv().scenario.task.clone()
    }

    /// The session's solution file, made with the signature the first time.
    pub(super) fn solution_file(&mut self) -> Result<PathBuf> {
        let task = self.task().context("this scenario has no coding task")?;
        let path = match self.session.log().solution_path() {
            Some(p) => p,
            None => {
                let dir = match &self.scratch {
                    Some(d) => d.path().to_path_buf(),
                    None => {
                        let d = tempfile::tempdir()?;
                        let p = d.path().to_path_buf();
                        self.scratch = Some(d);
                        p
                    }
                };
                dir.join("solution.py")
            }
        };
        if !path.exists() {
            std::fs::write(&path, starter(&task))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(path)
    }

    pub(super) fn show_task(&mut self) -> Result<()> {
        let Some(task) = self.task() else {
            return Ok(());
        };
        let path = self.solution_file()?;
        self.show(&task_card(&task, &path));
        Ok(())
    }

    /// `/edit`: the solution file in the candidate's editor, waited for.
    pub(super) fn edit(&mut self) -> Result<()> {
        let path = self.solution_file()?;
        if !self.tty {
            bail!(
                "/edit needs a terminal; write {} in any editor, or pass a file: /run FILE, /submit FILE",
                path.display()
            );
        }
        let Some(editor) = editor() else {
            bail!(
                "no editor found: set $EDITOR (for example `export EDITOR=nano`), or edit {} in \
                 any editor and /run",
                path.display()
            );
        };
        // The turn holds the echo off (`chat::repl`); an editor that reads lines from the
        // terminal as it finds it would show nothing typed.
        let _typing = crate::screen::Echo::on(0);
        // $EDITOR may carry flags ("code --wait").
        let mut words = editor.split_whitespace();
        let program = words.next().unwrap_or("vi");
        let status = std::process::Command::new(program)
            .args(words)
            .arg(&path)
            .status()
            .with_context(|| format!("cannot start the editor '{editor}'"))?;
        if !status.success() {
            notice(&format!("(the editor exited with {status})"));
        }
        notice("(saved; /run to try the examples, /submit for the hidden tests)");
        Ok(())
    }

    /// `/run` or `/submit`, of the solution file or of `from` (copied into it first). A run
    /// that cannot be made says why; what was made is logged before anything is said of it.
    pub(super) fn run_code(&mut self, suite: Suite, from: &str) -> Result<()> {
        let source = match self.source(from) {
            Ok(s) => s,
            Err(e) => {
                notice(&format!("{e:#}"));
                return Ok(());
            }
        };
        let spent = self.since.elapsed().as_secs_f64().min(MAX_WRITING);
        self.run_source(suite, &source, spent).map(drop)
    }

    /// Run `source` (as the solution file now holds it) on `suite` after `spent` seconds of
    /// writing it, record it, and for a submission say the interviewer's review.
    pub fn run_source(&mut self, suite: Suite, source: &str, spent: f64) -> Result<Vec<Action>> {
        let (run, network) = match self.graded(suite, source) {
            Ok(done) => done,
            Err(e) => {
                notice(&format!("{e:#}"));
                return Ok(Vec::new());
            }
        };
        let report = run_report(&run, network.as_deref());
        let at = self.iv().now + spent;
        self.since = std::time::Instant::now();
        self.session.record(Event::Code { at, run })?;
        self.show(&report);
        if suite == Suite::Hidden {
            return self.request(Request::Review);
        }
        Ok(Vec::new())
    }

    /// The solution's text: `from`, copied into the solution file first, or the file itself.
    fn source(&mut self, from: &str) -> Result<String> {
        let path = self.solution_file()?;
        if !from.is_empty() {
            let given = Path::new(from);
            let size = std::fs::metadata(given)
                .with_context(|| format!("cannot read {}", given.display()))?
                .len();
            if size > coding::MAX_SOURCE as u64 {
                bail!("{} is over {} bytes", given.display(), coding::MAX_SOURCE);
            }
            let code = std::fs::read_to_string(given)
                .with_context(|| format!("cannot read {} as text", given.display()))?;
            std::fs::write(&path, code)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    }

    /// The run and, when it could not be cut off from the network, why.
    fn graded(&mut self, suite: Suite, source: &str) -> Result<(CodeRun, Option<String>)> {
        let task = self.task().context("this scenario has no coding task")?;
        if self.tty {
            notice(match suite {
                Suite::Examples => "(running the examples...)",
                Suite::Hidden => "(running the hidden tests...)",
            });
        }
        let grade = coding::grade(&task, source, suite, &Limits::default())?;
        let run = CodeRun::new(suite, &grade, source);
        let network = match grade.network {
            crate::runner::Network::Isolated => None,
            crate::runner::Network::NotIsolated(why) => Some(why),
        };
        Ok((run, network))
    }
}
