//! One module per subcommand: each takes its resolved settings (`crate::settings`) and does the
//! work, printing what the user sees.

pub mod assess;
pub mod chat;
pub mod debrief;
pub mod doctor;
pub mod reader;
pub mod scenario;
pub mod sessions;
pub mod shell;
pub mod simulate;
pub mod voice;
