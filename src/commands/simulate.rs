//! `casecoach simulate`: a whole interview against a simulated candidate, with quality checks.

use crate::debrief::render;
use crate::settings::SimulateSettings;
use crate::sim::{self, Simulation};
use crate::{llm, scenario};
use anyhow::Result;
use std::sync::Arc;

pub fn run(s: SimulateSettings) -> Result<()> {
    let player: Option<Box<dyn llm::Backend>> = match s.player {
        None => None,
        Some(c) => Some(Box::new(llm::OpenAiCompatible::new(c)?)),
    };
    let sc = Arc::new(scenario::load(&s.scenario)?);
    let reader = s.reading.start(false)?;
    let sim = sim::run_worded(
        sc,
        s.persona,
        s.mode,
        s.minutes,
        s.focus,
        player,
        reader,
        Some(s.seed),
    )?;
    if s.json {
        print_json(&sim, s.seed)
    } else {
        print_text(&sim);
        outln!(
            "wording seed {} (--seed {} says it the same way again)",
            s.seed,
            s.seed
        );
        Ok(())
    }
}

/// The debrief's JSON, plus the persona, the transcript and the quality checks.
fn print_json(sim: &Simulation, seed: u64) -> Result<()> {
    let mut v = serde_json::to_value(&sim.report)?;
    v["persona"] = serde_json::json!(sim.persona);
    v["seed"] = serde_json::json!(seed);
    v["transcript"] = serde_json::Value::Array(sim::transcript(&sim.events));
    v["quality"] = serde_json::to_value(&sim.quality)?;
    outln!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

fn print_text(sim: &Simulation) {
    for t in sim::transcript(&sim.events) {
        let who = if t["role"] == "candidate" {
            "Candidate"
        } else {
            "Interviewer"
        };
        outln!("{who}: {}", t["text"].as_str().unwrap_or(""));
    }
    outln!("\n{}", render::text(&sim.report));
    out!("{}", sim::quality::render(&sim.quality));
}
