//! casecoach: a mock interviewer for ML case-study interviews. The model speaks; the code decides.

// First, so that its print macros are in scope in every module after it.
#[macro_use]
pub mod screen;

pub mod chat;
pub mod cli;
pub mod coding;
mod commands;
pub mod config;
pub mod cue;
pub mod debrief;
pub mod folders;
pub mod framework;
pub mod interview;
pub mod interviewer;
pub mod llm;
pub mod quantity;
pub mod reader;
pub mod runner;
pub mod scenario;
pub mod secret;
pub mod session;
pub mod settings;
pub mod sim;
pub mod transcript;
pub mod voice;

use anyhow::Result;
use cli::Cli;
use settings::Resolved;

/// Run one parsed command line: resolve its settings, then hand them to its subcommand.
pub fn run(cli: Cli) -> Result<()> {
    match settings::resolve(&cli)? {
        Resolved::Chat(s) => commands::chat::run(s),
        Resolved::Voice(s) => commands::voice::run(*s),
        Resolved::Assess(s) => commands::assess::run(s),
        Resolved::Debrief(s) => commands::debrief::run(s),
        Resolved::Simulate(s) => commands::simulate::run(s),
        Resolved::Sessions(s) => commands::sessions::run(s),
        Resolved::Doctor(s) => commands::doctor::run(s),
        Resolved::Scenario(s) => commands::scenario::run(s),
        Resolved::Setup => commands::reader::setup(),
        Resolved::Eval(s) => commands::reader::eval(s),
        Resolved::SpeechEval(s) => commands::voice::eval(s),
        Resolved::LatencyEval(s) => commands::voice::latency(*s),
        Resolved::Train { corpus, out } => commands::reader::train(&corpus, &out),
        Resolved::Completions(shell, cmd) => commands::shell::completions(shell, cmd),
        Resolved::Man(cmd) => commands::shell::man(cmd),
    }
}
