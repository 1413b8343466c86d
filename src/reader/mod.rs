//! The reading of a candidate's turn: which checkpoints each sentence shows, what it does (asks,
//! proposes, dismisses...), which fact a question wants. Two readers stand behind one trait:
//! the semantic reader (an embedding model run in-process, trained heads, cues and rules) and
//! the lexical reader (cues alone), the fallback when the model is not installed.
//!
//! - `embed`: the all-MiniLM-L6-v2 sentence embedder (candle), and a fake one for tests.
//! - `install`: where the model lives and how `casecoach setup` fetches it.
//! - `semantic`: the semantic reader; `heads`: its trained classifiers; `train`: how they are
//!   trained; `corpus`: the labelled sentences; `eval`: how well a reader reads them.

pub mod corpus;
pub mod embed;
pub mod eval;
pub mod heads;
pub mod install;
pub mod semantic;
pub mod train;

pub use embed::{Embed, EmbedError, Embedder, FakeEmbedder};

use crate::interview::coverage::{self, Analysis};
use crate::scenario::Scenario;
use anyhow::Result;

/// Reads a candidate's turn against a scenario.
pub trait Reader: Send + Sync {
    fn analyse(&self, scenario: &Scenario, text: &str) -> Result<Analysis>;
    fn name(&self) -> String;
}

/// Cues alone: the reader every machine has.
pub struct Lexical;

impl Reader for Lexical {
    fn analyse(&self, scenario: &Scenario, text: &str) -> Result<Analysis> {
        Ok(coverage::analyse(scenario, text))
    }
    fn name(&self) -> String {
        "lexical".into()
    }
}

impl Reader for semantic::Semantic {
    fn analyse(&self, scenario: &Scenario, text: &str) -> Result<Analysis> {
        semantic::Semantic::analyse(self, scenario, text)
    }
    fn name(&self) -> String {
        semantic::Semantic::name(self)
    }
}

/// The semantic reader with the installed model and the shipped heads.
pub fn semantic() -> Result<semantic::Semantic> {
    let dir = install::location()?.dir;
    let embedder = Embedder::load(&dir)?;
    semantic::Semantic::shipped(Box::new(embedder))
}
