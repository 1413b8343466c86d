//! `casecoach chat`: the interview in the terminal.

use crate::session;
use crate::settings::ChatSettings;
use anyhow::{Result, bail};

pub fn run(s: ChatSettings) -> Result<()> {
    if let (Some(q), Some(named)) = (&s.resume, &s.scenario_given) {
        same_scenario(&s.settings.sessions_dir, q, named)?;
    }
    crate::chat::run(&s.settings, s.resume.as_deref())
}

/// A resumed session goes on with its own scenario; naming another one is a mistake to point out,
/// not to ignore.
pub(super) fn same_scenario(dir: &std::path::Path, query: &str, named: &str) -> Result<()> {
    let path = session::find(dir, (!query.is_empty()).then_some(query))?;
    let loaded = session::read(&path)?;
    let Some((id, locator, ..)) = session::started_info(&loaded.events) else {
        return Ok(());
    };
    let same_file = std::fs::canonicalize(named).is_ok_and(|p| p == std::path::Path::new(locator));
    if named != id && named != locator && !same_file {
        bail!(
            "session {} is a '{id}' interview, not '{named}'; resume it without naming a scenario, or start a new '{named}' interview without --resume",
            session::id_of(&path)
        );
    }
    Ok(())
}
