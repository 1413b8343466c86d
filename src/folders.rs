//! Where casecoach keeps things, and the one way it reads the environment. Kept apart from the
//! config file's format so that low modules (scenarios look for the user's folder) need not
//! depend on the settings' types.

use std::ffi::OsString;
use std::path::PathBuf;

/// A variable of the environment, read the one way casecoach reads it: set but empty is unset.
pub fn env(var: &str) -> Option<OsString> {
    std::env::var_os(var).filter(|v| !v.is_empty())
}

fn env_dir(var: &str) -> Option<PathBuf> {
    env(var).map(PathBuf::from)
}

fn home() -> Option<PathBuf> {
    env_dir("HOME")
}

/// `$XDG_CONFIG_HOME/casecoach`, else `~/.config/casecoach`.
pub fn config_dir() -> Option<PathBuf> {
    env_dir("XDG_CONFIG_HOME")
        .or_else(|| home().map(|h| h.join(".config")))
        .map(|d| d.join("casecoach"))
}

/// `CASECOACH_DATA_DIR`, else `$XDG_DATA_HOME/casecoach`, else `~/.local/share/casecoach`.
pub fn data_dir() -> Option<PathBuf> {
    env_dir("CASECOACH_DATA_DIR").or_else(|| {
        env_dir("XDG_DATA_HOME")
            .or_else(|| home().map(|h| h.join(".local/share")))
            .map(|d| d.join("casecoach"))
    })
}
