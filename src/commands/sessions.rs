//! `casecoach sessions`: the saved sessions, then each stage's scores over the finished ones.

use crate::framework::Stage;
use crate::session::{self, Summary};
use crate::settings::SessionsSettings;
use anyhow::{Context, Result};

pub fn run(s: SessionsSettings) -> Result<()> {
    if let Some(q) = &s.remove {
        return remove(&s.sessions_dir, q);
    }
    let all: Vec<Summary> = session::list(&s.sessions_dir)?
        .into_iter()
        .filter(|x| s.scenario.as_ref().is_none_or(|id| &x.scenario == id))
        .filter(|x| {
            s.since
                .as_ref()
                .is_none_or(|d| x.time.as_str() >= d.as_str())
        })
        .collect();
    if all.is_empty() {
        let which = if s.scenario.is_some() || s.since.is_some() {
            "No sessions match"
        } else {
            "No sessions yet"
        };
        outln!(
            "{which} in {}. Start one with: casecoach chat",
            s.sessions_dir.display()
        );
        return Ok(());
    }
    outln!(
        "{:<40} {:<16} {:>11}  {:<11} {:<12} recommendation",
        "session",
        "scenario",
        "answers",
        "status",
        "reached"
    );
    for x in &all {
        outln!("{}", row(x));
    }
    progress(&all);
    Ok(())
}

/// Delete one session, unless another casecoach is writing it.
fn remove(dir: &std::path::Path, query: &str) -> Result<()> {
    let path = session::find(dir, Some(query))?;
    let (lock, _) = session::Lock::take(&path)?;
    std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    // A coding round's solution file goes with its session.
    let solution = path.with_extension("py");
    if solution.exists() {
        std::fs::remove_file(&solution)
            .with_context(|| format!("cannot remove {}", solution.display()))?;
    }
    drop(lock);
    outln!("Removed session {}", session::id_of(&path));
    Ok(())
}

fn row(s: &Summary) -> String {
    let status = if s.ended { "ended" } else { "unfinished" };
    let rec = s.recommendation.as_deref().unwrap_or("-");
    let problem = s
        .problem
        .as_ref()
        .map(|p| format!("  ({p})"))
        .unwrap_or_default();
    format!(
        "{:<40} {:<16} {:>3} answers  {:<11} {:<12} {}{problem}",
        s.id, s.scenario, s.candidate_turns, status, s.phase, rec
    )
}

/// One line a stage: a sparkline of the finished sessions, the last score and the mean.
fn progress(all: &[Summary]) {
    let scored: Vec<&Summary> = all.iter().filter(|s| s.stage_scores.is_some()).collect();
    if scored.is_empty() {
        return;
    }
    outln!(
        "\nProgress by stage over {} finished session(s), oldest first (\u{b7} = not assessed)",
        scored.len()
    );
    let avg = session::stage_averages(all);
    let weakest = session::weakest_stage(all);
    for stage in Stage::ALL {
        let score = |s: &Summary| s.stage_scores.as_ref().and_then(|v| v[stage]);
        let line: String = scored.iter().map(|s| session::spark(score(s))).collect();
        let last = scored
            .last()
            .and_then(|s| score(s))
            .map_or("-".to_string(), |x| x.to_string());
        let mean = avg[stage].map_or("-".to_string(), |a| format!("{a:.1}"));
        let mark = if weakest == Some(stage) {
            "  <- weakest: casecoach chat --focus weakest"
        } else {
            ""
        };
        outln!(
            "  {:<28}{line:<12} last {last}  mean {mean}{mark}",
            stage.name()
        );
    }
}
