//! Finding saved sessions and summarising them for `casecoach sessions`.

use super::log::read;
use crate::framework::StageMap;
use crate::interview::{Event, Phase, Role};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

pub struct Summary {
    pub path: PathBuf,
    pub id: String,
    pub scenario: String,
    pub time: String,
    pub candidate_turns: usize,
    pub phase: String,
    pub ended: bool,
    pub recommendation: Option<String>,
    /// Each stage's debrief score, in stage order (None: not assessed), for finished sessions.
    pub stage_scores: Option<StageMap<Option<u8>>>,
    pub problem: Option<String>,
    /// Set when a later casecoach wrote the log.
    pub newer: Option<super::log::Newer>,
}

pub fn list(dir: &Path) -> Result<Vec<Summary>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot read the sessions folder {}", dir.display()));
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    paths.sort();
    Ok(paths.into_iter().map(|p| summarize(&p)).collect())
}

pub fn id_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn summarize(path: &Path) -> Summary {
    let id = id_of(path);
    let mut s = Summary {
        path: path.to_path_buf(),
        id,
        scenario: String::new(),
        time: String::new(),
        candidate_turns: 0,
        phase: String::new(),
        ended: false,
        recommendation: None,
        stage_scores: None,
        problem: None,
        newer: None,
    };
    let loaded = match read(path) {
        Ok(l) => l,
        Err(e) => {
            s.problem = Some(format!("{e:#}"));
            s.newer = e.downcast::<super::log::Newer>().ok();
            return s;
        }
    };
    if !loaded.skipped.is_empty() {
        s.problem = Some(format!("{} damaged line(s) skipped", loaded.skipped.len()));
    }
    for event in &loaded.events {
        match event {
            Event::Started { scenario, time, .. } => {
                s.scenario = scenario.clone();
                s.time = time.clone();
            }
            Event::Turn {
                role: Role::Candidate,
                ..
            } => s.candidate_turns += 1,
            Event::Turn { phase, .. } => s.phase = phase_label(*phase),
            Event::Ended { .. } => s.ended = true,
            Event::Debrief { report } => {
                s.recommendation = report["overall"]["recommendation"]
                    .as_str()
                    .map(str::to_string);
                // The report lists stages by id; a stage it lacks was not assessed.
                s.stage_scores = report["stages"].as_array().map(|st| {
                    StageMap::from_fn(|stage| {
                        st.iter().find(|x| x["id"] == stage.id())?["score"]
                            .as_u64()
                            .map(|v| v.min(4) as u8)
                    })
                });
            }
            _ => {}
        }
    }
    if loaded.partial_line.is_some() {
        s.problem = Some("last line cut short".into());
    }
    s
}

pub fn phase_label(p: Phase) -> String {
    match p {
        Phase::Stage(s) => s.id().to_string(),
        Phase::WrapUp => "wrap-up".into(),
        Phase::Ended => "ended".into(),
        Phase::NotStarted => "not started".into(),
    }
}

/// Find a session: a path, a file name or id in `dir`, a unique part of one, or (none given) the
/// newest session that has not ended.
pub fn find(dir: &Path, query: Option<&str>) -> Result<PathBuf> {
    let Some(q) = query else {
        let all = list(dir)?;
        return all
            .into_iter()
            .rev()
            .find(|s| (!s.ended && !s.scenario.is_empty()) || s.newer.is_some())
            .map(|s| match s.newer {
                // The newest session is one this version cannot read: say so, rather than
                // resume an older one or say there is none.
                Some(e) => Err(anyhow::Error::new(e)),
                None => Ok(s.path),
            })
            .transpose()?
            .with_context(|| {
                format!(
                    "no unfinished session to resume in {}; start one with `casecoach chat`",
                    dir.display()
                )
            });
    };
    let direct = Path::new(q);
    if direct.is_file() {
        return Ok(direct.to_path_buf());
    }
    for candidate in [dir.join(q), dir.join(format!("{q}.jsonl"))] {
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    let all = list(dir)?;
    let matching: Vec<&Summary> = all.iter().filter(|s| s.id.contains(q)).collect();
    match matching.as_slice() {
        [one] => Ok(one.path.clone()),
        [] => bail!(
            "no session matches '{q}' in {}; `casecoach sessions` lists them",
            dir.display()
        ),
        many => bail!(
            "'{q}' matches {} sessions ({}); give more of the name",
            many.len(),
            many.iter()
                .take(5)
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

// ---- time stamps without a date crate --------------------------------------------------------

fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

fn unix(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub fn rfc3339(t: std::time::SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(unix(t));
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

pub(super) fn file_stamp(t: std::time::SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(unix(t));
    format!("{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(1_795_000_000), (2026, 11, 18, 11, 6, 40));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
    }
}
