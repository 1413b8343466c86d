//! `casecoach scenario ...`: list, show, scaffold, check, schema and dry-run scenarios.

use crate::scenario;
use crate::settings::ScenarioSettings;
use crate::{framework::InterviewType, sim};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn run(s: ScenarioSettings) -> Result<()> {
    match s {
        ScenarioSettings::List => list(),
        ScenarioSettings::Show { id, full } => show(&id, full),
        ScenarioSettings::New { id, kind, path } => new(&id, kind, &path),
        ScenarioSettings::Check { paths, strict } => check(&paths, strict),
        ScenarioSettings::Schema { markdown: true } => {
            out!("{}", scenario::schema_reference());
            Ok(())
        }
        ScenarioSettings::Schema { markdown: false } => {
            outln!("{}", serde_json::to_string_pretty(&scenario::schema())?);
            Ok(())
        }
        ScenarioSettings::Cues => {
            out!("{}", scenario::cues_reference());
            Ok(())
        }
        ScenarioSettings::DryRun { ids, reading } => dry_run(ids, reading),
    }
}

fn list() -> Result<()> {
    let ids = scenario::known_ids();
    let width = ids.iter().map(|id| id.chars().count()).max().unwrap_or(0);
    for id in ids {
        match scenario::load(&id) {
            Ok(s) => outln!(
                "{:<width$}  {:<13}  {:>3} min  {}",
                s.id,
                s.kind.id(),
                s.minutes,
                s.title
            ),
            Err(e) => outln!("{id:<width$}  (cannot load: {e})"),
        }
    }
    Ok(())
}

/// As the candidate sees it; `full` adds what only its author should: facts and answers.
fn show(id: &str, full: bool) -> Result<()> {
    let s = scenario::load(id)?;
    outln!(
        "{} ({}, {}, {} min)\n\n{}",
        s.title,
        s.id,
        s.kind.id(),
        s.minutes,
        s.prompt
    );
    outln!("\nInterviewer: {}, {}", s.persona.name, s.persona.role);
    if full {
        outln!("\nHidden facts:");
        for f in &s.facts {
            outln!("  {}: {}", f.id, f.answer);
        }
        for c in &s.checkpoints {
            outln!("\n{} ({}, weight {}): {}", c.id, c.stage, c.weight, c.title);
            if let Some(a) = &c.answer {
                outln!("  strong answer: {a}");
            }
        }
    }
    Ok(())
}

fn new(id: &str, kind: InterviewType, path: &Path) -> Result<()> {
    if path.exists() {
        anyhow::bail!(
            "{} already exists; choose another id or --out path",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, scenario::scaffold::render(id, kind))?;
    outln!("Wrote {}.", path.display());
    outln!(
        "Fill in the TODOs, then: casecoach scenario check {0} && casecoach scenario dry-run {0}",
        path.display()
    );
    Ok(())
}

/// The files named, or else every built-in and user scenario; fails on errors (and, `strict`,
/// on warnings).
fn check(paths: &[PathBuf], strict: bool) -> Result<()> {
    let mut problems = Vec::new();
    let mut files = 0;
    if paths.is_empty() {
        for (id, text) in scenario::BUILTIN {
            problems.extend(scenario::check_text(text, &format!("<built-in {id}>")));
            files += 1;
        }
        for p in user_files() {
            problems.extend(scenario::check_file(&p));
            files += 1;
        }
    }
    for p in paths {
        problems.extend(scenario::check_file(p));
        files += 1;
    }
    for p in &problems {
        outln!("{p}");
    }
    let errors = problems.iter().filter(|p| !p.warning).count();
    let warnings = problems.len() - errors;
    outln!("{errors} error(s), {warnings} warning(s) in {files} file(s)");
    if errors > 0 || (strict && warnings > 0) {
        return Err(anyhow::anyhow!("scenario check failed"));
    }
    Ok(())
}

/// The `.toml` files of the user's scenarios folder, in name order.
fn user_files() -> Vec<PathBuf> {
    let Some(dir) = scenario::user_dir() else {
        return Vec::new();
    };
    let mut user: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    user.retain(|p| p.extension().is_some_and(|x| x == "toml"));
    user.sort();
    user
}

/// A strong and a weak simulated candidate through each scenario (default: all of them).
fn dry_run(ids: Vec<String>, reading: crate::reader::ReaderSettings) -> Result<()> {
    let ids = if ids.is_empty() {
        scenario::known_ids()
    } else {
        ids
    };
    let reader = reading.start(false)?;
    let mut failed = 0;
    for id in ids {
        let sc = Arc::new(scenario::load(&id)?);
        outln!("{} ({})", sc.title, sc.id);
        for c in sim::dry_run(sc.clone())? {
            outln!("  {} {}", if c.ok { "ok  " } else { "FAIL" }, c.what);
            failed += usize::from(!c.ok);
        }
        for note in sim::read_back(&sc, &*reader)? {
            outln!("  note {note}");
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} dry-run check(s) failed");
    }
    Ok(())
}
