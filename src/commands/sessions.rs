//! `casecoach sessions`: the saved sessions, then each stage's scores over the finished ones.

use crate::framework::Stage;
use crate::session::{self, Summary};
use anyhow::Result;
use std::path::Path;

pub fn run(sessions_dir: &Path) -> Result<()> {
    let all = session::list(sessions_dir)?;
    if all.is_empty() {
        outln!(
            "No sessions yet in {}. Start one with: casecoach chat",
            sessions_dir.display()
        );
    }
    for s in &all {
        outln!("{}", row(s));
    }
    progress(&all);
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
