//! `casecoach setup`, `train` and `eval`: the semantic reader's model, its heads, and how well
//! it reads.

use crate::reader::{self, corpus, eval, install, train};
use crate::settings::{EvalSettings, EvalWhat};
use anyhow::{Context, Result};
use std::path::Path;

pub fn setup() -> Result<()> {
    let dir = install::setup(&mut |m| errln!("{m}"))?;
    outln!("The embedding model is ready in {}.", dir.display());
    Ok(())
}

/// Train the heads; `out` gets them, and `exemplars.bin` beside it the bank they read.
pub fn train(corpus_path: &Path, out: &Path) -> Result<()> {
    let cases = corpus::load(corpus_path)?;
    let embedder = embedder()?;
    let started = std::time::Instant::now();
    let (heads, bank) = train::train(&cases, &embedder, &mut |m| errln!("{m}"))?;
    let json = serde_json::to_string(&heads)?;
    std::fs::write(out, json + "\n").with_context(|| format!("cannot write {}", out.display()))?;
    let bank_path = out.with_file_name("exemplars.bin");
    std::fs::write(&bank_path, bank.to_bytes())
        .with_context(|| format!("cannot write {}", bank_path.display()))?;
    outln!(
        "Wrote {} and {} ({} training lines, {:.0} s).",
        out.display(),
        bank_path.display(),
        cases.iter().filter(|c| !c.held_out()).count(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn eval(s: EvalSettings) -> Result<()> {
    let settings = reader::ReaderSettings {
        choice: s.reader,
        offline: true,
    };
    let reader = settings.start(false)?;
    let (json, text) = match s.what {
        EvalWhat::Replies => {
            let pairs = corpus::load_replies(&s.cases)?;
            let picked: Vec<&corpus::ReplyCase> = pairs
                .iter()
                .filter(|c| s.split.takes(c.held_out()))
                .collect();
            let r = eval::replies(&picked, reader.as_ref())?;
            (serde_json::to_string_pretty(&r)?, eval::render_replies(&r))
        }
        EvalWhat::Misconceptions => {
            let scenarios = corpus::Scenarios::load()?;
            let cases = corpus::load_misconceptions(&s.cases, &scenarios)?;
            let picked: Vec<&corpus::MisconceptionCase> = cases
                .iter()
                .filter(|c| s.split.takes(c.held_out()))
                .collect();
            // No corpus line was written as a mistake, and no cue was written from one.
            let lines = corpus::load(std::path::Path::new("corpus")).unwrap_or_default();
            let all: Vec<&corpus::Case> = lines.iter().collect();
            let r = eval::misconceptions(&picked, &all, reader.as_ref(), &scenarios)?;
            (
                serde_json::to_string_pretty(&r)?,
                eval::render_misconceptions(&r),
            )
        }
        what => {
            let cases = corpus::load(&s.cases)?;
            let picked: Vec<&corpus::Case> = cases
                .iter()
                .filter(|c| s.split.takes(c.held_out()))
                .collect();
            let scenarios = corpus::Scenarios::load()?;
            if what == EvalWhat::Coverage {
                let r = eval::coverage(&picked, reader.as_ref(), &scenarios)?;
                (serde_json::to_string_pretty(&r)?, eval::render_coverage(&r))
            } else {
                let r = eval::facts(&picked, reader.as_ref(), &scenarios)?;
                (serde_json::to_string_pretty(&r)?, eval::render_facts(&r))
            }
        }
    };
    if s.json {
        outln!("{json}");
    } else {
        out!(
            "({} cases of {})\n{text}",
            s.split.name(),
            s.cases.display()
        );
    }
    Ok(())
}

fn embedder() -> Result<reader::Embedder> {
    let dir = install::location()?.dir;
    Ok(reader::Embedder::load(&dir)?)
}
