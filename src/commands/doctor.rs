//! `casecoach doctor`: what is configured, and a real check of each service and device.

use crate::llm::doctor::Check;
use crate::reader::{self, Reader, install};
use crate::settings::DoctorSettings;
use crate::{llm, voice};
use anyhow::Result;

pub fn run(s: DoctorSettings) -> Result<()> {
    match &s.config_file {
        Some(p) if p.exists() => outln!("config          {} (read)", p.display()),
        Some(p) => outln!("config          {} (none; defaults apply)", p.display()),
        None => outln!("config          (no home folder; defaults apply)"),
    }
    outln!("sessions        {}", s.sessions_dir.display());
    let mut checks = reader();
    checks.extend(model(&s));
    checks.extend(voice::doctor(s.stt_url.as_deref(), s.tts_url.as_deref()));
    checks.extend(voice::device::doctor(
        s.input_device.as_deref(),
        s.output_device.as_deref(),
    ));
    outln!();
    out!("{}", llm::doctor::render(&checks));
    if checks.iter().any(|c| !c.ok) {
        anyhow::bail!("some checks failed");
    }
    Ok(())
}

/// Says which reader will read the answers. A model that is not installed is no failure (the
/// lexical reader stands in); one that is there but does not load is.
fn reader() -> Vec<Check> {
    let status = match install::status() {
        Ok(s) => s,
        Err(e) => {
            outln!("reader          lexical (cues alone): {e}");
            return Vec::new();
        }
    };
    if !status.installed() {
        outln!("reader          lexical (cues alone): {status}");
        return Vec::new();
    }
    let started = std::time::Instant::now();
    let (ok, detail) = match reader::semantic() {
        Ok(r) => {
            outln!("reader          {}: {status}", Reader::name(&r));
            (
                true,
                format!("the model loads ({} ms)", started.elapsed().as_millis()),
            )
        }
        Err(e) => {
            outln!(
                "reader          lexical (cues alone): the semantic reader's model does not load"
            );
            (false, format!("{e:#}"))
        }
    };
    vec![Check {
        name: "reader",
        ok,
        detail,
        fix: (!ok).then(|| "`casecoach setup` fetches the model again".to_string()),
    }]
}

/// Says which model is configured; checks it when there is one.
fn model(s: &DoctorSettings) -> Vec<Check> {
    match &s.llm {
        None => {
            outln!("model           none configured: the scripted interviewer runs offline");
            outln!(
                "                to use one: --llm-url URL --model NAME, CASECOACH_LLM_BASE_URL, or [llm] (see config.example.toml)"
            );
            Vec::new()
        }
        Some(llm) => {
            outln!("model           {} at {}", llm.model, llm.shown_url());
            llm::doctor::run(llm)
        }
    }
}
