//! Scenario files: the TOML format, loading (built-in, user folder, any path) and validation with
//! `file:line:col` positions. A scenario is someone else's data: it is size-limited, parsed, never
//! executed, and every error says where it is.
//!
//! The path a file takes: `load` reads it, `format` parses it as written, `build` turns that into
//! the `model` the interview uses, `lint` looks for what would spoil a session, and `problem`
//! gives everything wrong a position.

mod build;
mod format;
mod lint;
mod load;
mod model;
mod problem;
pub mod scaffold;
mod task;

pub use build::{check_file, check_id, check_text, fnv1a, parse};
pub use format::{cues_reference, schema, schema_reference};
pub use load::{BUILTIN, MAX_FILE_BYTES, known_ids, load, load_file, user_dir};
pub use model::{
    Checkpoint, Curveball, Fact, Misconception, Origin, Persona, Probe, Scenario, StagePlan,
    named_in, says,
};
pub use problem::{LoadError, Problem, line_col};

/// The smallest file that loads: a problem with only the framework's own cues. Tests add to it
/// what they need; the reader trains on corpus lines about other problems against it.
pub const MINIMAL: &str = r#"id = "mini"
title = "Mini"
prompt = "Design it."
unplanned_answer = "Assume something reasonable."
[persona]
name = "A"
role = "B"
greeting = "Hi."
"#;
