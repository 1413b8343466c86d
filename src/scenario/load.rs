//! Where scenarios come from: the built-ins compiled into the binary, the user's folder, or any
//! path. Reading is size-limited and UTF-8 checked before anything parses it.

use super::{LoadError, Origin, Problem, Scenario, line_col, parse};
use std::path::{Path, PathBuf};

/// A built-in scenario, compiled in from `scenarios/<id>.toml`.
macro_rules! builtin {
    ($id:literal) => {
        ($id, include_str!(concat!("../../scenarios/", $id, ".toml")))
    };
}

/// The built-in scenarios, case studies first, then system design, then coding rounds.
pub const BUILTIN: &[(&str, &str)] = &[
    builtin!("fraud"),
    builtin!("recommendations"),
    builtin!("churn"),
    builtin!("demand-forecasting"),
    builtin!("ad-click-prediction"),
    builtin!("feed-ranking"),
    builtin!("support-assistant"),
    builtin!("coding-pr-auc"),
    builtin!("coding-ndcg"),
    builtin!("coding-target-encoding"),
    builtin!("coding-time-split"),
    builtin!("coding-kmeans"),
];

/// Largest scenario file we read; a real one is a few tens of KB.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Where user scenarios live: `$XDG_CONFIG_HOME/casecoach/scenarios`.
pub fn user_dir() -> Option<PathBuf> {
    crate::folders::config_dir().map(|d| d.join("scenarios"))
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
pub(super) fn read_text(path: &Path) -> Result<String, LoadError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Stage;

    #[test]
    fn builtins_are_complete() {
        for (id, _) in BUILTIN {
            let s = load(id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(s.facts.len() >= 8, "{id}: {} facts", s.facts.len());
            for st in Stage::ALL.into_iter().filter(|&st| s.in_round(st)) {
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
            for (i, c) in s.checkpoints.iter().enumerate() {
                let asked = s.asks_for(i);
                assert!(
                    !asked || c.answer.is_some(),
                    "{id}: no model answer for {}",
                    c.id
                );
            }
            assert!(!s.curveballs.is_empty(), "{id}: no curveball");
        }
    }

    #[test]
    fn unknown_names_list_known_ones() {
        let e = load("fruad").unwrap_err().to_string();
        assert!(
            e.contains("unknown scenario 'fruad'") && e.contains("fraud, recommendations, churn"),
            "{e}"
        );
    }
}
