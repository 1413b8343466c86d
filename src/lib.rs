//! casecoach: a mock interviewer for ML case-study interviews. The model speaks; the code decides.

pub mod chat;
pub mod cli;
pub mod config;
pub mod cue;
pub mod debrief;
pub mod framework;
pub mod interview;
pub mod interviewer;
pub mod llm;
pub mod reader;
pub mod scenario;
pub mod session;
pub mod sim;
pub mod transcript;
pub mod voice;

use anyhow::{Context, Result};
use cli::{Cli, Command, ScenarioCommand};
use debrief::render::{self, Format};
use std::sync::Arc;

/// Run one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let settings = cli::settings(&cli)?;
    match &cli.command {
        Command::Chat(args) => chat::run(&settings, args.resume.as_deref()),
        Command::Voice(args) => {
            let stt_url = args.stt_url.clone().or(settings.stt.base_url.clone());
            let stt = stt_url.as_deref().map(|url| {
                let mut c = voice::stt::SttConfig::new(url);
                c.model = args
                    .stt_model
                    .clone()
                    .or(settings.stt.model.clone())
                    .unwrap_or(c.model);
                c.path = args
                    .stt_path
                    .clone()
                    .or(settings.stt.path.clone())
                    .unwrap_or(c.path);
                c.language = args
                    .language
                    .clone()
                    .or(settings.stt.language.clone())
                    .unwrap_or(c.language);
                c
            });
            let tts_url = args.tts_url.clone().or(settings.tts.base_url.clone());
            let opts = voice::VoiceOptions {
                confirm: !args.no_confirm && std::io::IsTerminal::is_terminal(&std::io::stdin()),
                audio_in: args.audio_in.clone(),
                audio_out: args.audio_out.clone(),
                tts: args.tts.unwrap_or(if tts_url.is_some() {
                    voice::tts::TtsKind::Endpoint
                } else {
                    voice::tts::TtsKind::Espeak
                }),
                tts_url,
                tts_voice: args
                    .tts_voice
                    .clone()
                    .or(settings.tts.voice.clone())
                    .unwrap_or_else(|| "alloy".into()),
                stt,
                ptt: match args.ptt.or(settings.voice.ptt).unwrap_or(cli::PttArg::Auto) {
                    cli::PttArg::Auto => None,
                    cli::PttArg::Hold => Some(voice::turn::Ptt::Hold),
                    cli::PttArg::Toggle => Some(voice::turn::Ptt::Toggle),
                },
                auto_stop: {
                    let s = args.auto_stop.or(settings.voice.auto_stop).unwrap_or(0.8);
                    if !(0.0..=30.0).contains(&s) {
                        anyhow::bail!(
                            "auto-stop {s} (--auto-stop or [voice] auto_stop): give the seconds of silence that end a recording, from 0 (off) to 30"
                        );
                    }
                    (s > 0.0).then_some(s)
                },
                list_devices: args.list_devices,
                mic_check: args.mic_check,
                speaker_check: args.speaker_check,
                input_device: args
                    .input_device
                    .clone()
                    .or(settings.voice.input_device.clone()),
                output_device: args
                    .output_device
                    .clone()
                    .or(settings.voice.output_device.clone()),
                resume: args.resume.clone().map(|q| (!q.is_empty()).then_some(q)),
            };
            voice::run(&settings, opts)
        }
        Command::Assess(args) => {
            let scenario = Arc::new(scenario::load(&args.scenario)?);
            let (iv, basis) = transcript::load(&args.file, scenario)?;
            let format = if args.json {
                Format::Json
            } else {
                args.format.unwrap_or(Format::Text)
            };
            print!("{}", render::render(&debrief::report(&iv, basis), format));
            Ok(())
        }
        Command::Debrief(args) => {
            let path = session::find(&settings.sessions_dir, Some(&args.session))?;
            let iv = chat::load_for_debrief(&path)?;
            let text = render::render(&debrief::report(&iv, debrief::Basis::Session), args.format);
            match &args.out {
                Some(path) => {
                    std::fs::write(path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    println!("Wrote {}", path.display());
                }
                None => print!("{text}"),
            }
            if args.timings {
                println!(
                    "\nTimings\n{}",
                    session::timings(&session::read(&path)?.events)
                );
            }
            Ok(())
        }
        Command::Simulate(args) => {
            let player: Option<Box<dyn llm::Backend>> = match (&settings.llm, args.candidate.model)
            {
                (_, false) => None,
                (Some(c), true) => Some(Box::new(llm::OpenAiCompatible::new(c.clone())?)),
                (None, true) => anyhow::bail!(
                    "llm:{} needs a model to play the candidate: pass --llm-url and --model (or configure [llm])",
                    args.candidate.persona.id()
                ),
            };
            let sc = Arc::new(scenario::load(&args.scenario)?);
            let sim = sim::run(
                sc,
                args.candidate.persona,
                args.mode,
                args.minutes,
                args.focus,
                player,
            )?;
            if args.json {
                let mut v = serde_json::to_value(&sim.report)?;
                v["persona"] = serde_json::json!(sim.persona);
                v["transcript"] = serde_json::Value::Array(sim::transcript(&sim.events));
                v["quality"] = serde_json::to_value(&sim.quality)?;
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for t in sim::transcript(&sim.events) {
                    let who = if t["role"] == "candidate" {
                        "Candidate"
                    } else {
                        "Interviewer"
                    };
                    println!("{who}: {}", t["text"].as_str().unwrap_or(""));
                }
                println!("\n{}", render::text(&sim.report));
                print!("{}", sim::quality::render(&sim.quality));
            }
            Ok(())
        }
        Command::Scenario(ScenarioCommand::New { id, kind, out }) => {
            if !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                || id.is_empty()
            {
                anyhow::bail!("scenario id '{id}' must be lower-case letters, digits and '-'");
            }
            let path = match out {
                Some(p) => p.clone(),
                None => scenario::user_dir()
                    .ok_or_else(|| anyhow::anyhow!("cannot find your config folder: set HOME or XDG_CONFIG_HOME, or pass --out"))?
                    .join(format!("{id}.toml")),
            };
            if path.exists() {
                anyhow::bail!(
                    "{} already exists; choose another id or --out path",
                    path.display()
                );
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, scenario::scaffold::render(id, *kind))?;
            println!("Wrote {}.", path.display());
            println!(
                "Fill in the TODOs, then: casecoach scenario check {0} && casecoach scenario dry-run {0}",
                path.display()
            );
            Ok(())
        }
        Command::Scenario(ScenarioCommand::Check { paths, strict }) => {
            let mut problems = Vec::new();
            let mut files = 0;
            if paths.is_empty() {
                for (id, text) in scenario::BUILTIN {
                    problems.extend(scenario::check_text(text, &format!("<built-in {id}>")));
                    files += 1;
                }
                if let Some(dir) = scenario::user_dir() {
                    let mut user: Vec<_> = std::fs::read_dir(&dir)
                        .map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                        .unwrap_or_default();
                    user.retain(|p: &std::path::PathBuf| {
                        p.extension().is_some_and(|x| x == "toml")
                    });
                    user.sort();
                    for p in user {
                        problems.extend(scenario::check_file(&p));
                        files += 1;
                    }
                }
            }
            for p in paths {
                problems.extend(scenario::check_file(p));
                files += 1;
            }
            for p in &problems {
                println!("{p}");
            }
            let errors = problems.iter().filter(|p| !p.warning).count();
            let warnings = problems.len() - errors;
            println!("{errors} error(s), {warnings} warning(s) in {files} file(s)");
            if errors > 0 || (*strict && warnings > 0) {
                return Err(anyhow::anyhow!("scenario check failed"));
            }
            Ok(())
        }
        Command::Scenario(ScenarioCommand::Schema { markdown: true }) => {
            print!("{}", scenario::schema_reference());
            Ok(())
        }
        Command::Scenario(ScenarioCommand::Schema { markdown: false }) => {
            println!("{}", serde_json::to_string_pretty(&scenario::schema())?);
            Ok(())
        }
        Command::Scenario(ScenarioCommand::DryRun { ids }) => {
            let ids = if ids.is_empty() {
                scenario::known_ids()
            } else {
                ids.clone()
            };
            let mut failed = 0;
            for id in ids {
                let sc = Arc::new(scenario::load(&id)?);
                println!("{} ({})", sc.title, sc.id);
                for c in sim::dry_run(sc)? {
                    println!("  {} {}", if c.ok { "ok  " } else { "FAIL" }, c.what);
                    failed += usize::from(!c.ok);
                }
            }
            if failed > 0 {
                anyhow::bail!("{failed} dry-run check(s) failed");
            }
            Ok(())
        }
        Command::Doctor { .. } => {
            let config = cli
                .config
                .clone()
                .or_else(|| config::config_dir().map(|d| d.join("config.toml")));
            match &config {
                Some(p) if p.exists() => println!("config          {} (read)", p.display()),
                Some(p) => println!("config          {} (none; defaults apply)", p.display()),
                None => println!("config          (no home folder; defaults apply)"),
            }
            println!("sessions        {}", settings.sessions_dir.display());
            let mut checks = Vec::new();
            match &settings.llm {
                None => {
                    println!(
                        "model           none configured: the scripted interviewer runs offline"
                    );
                    println!(
                        "                to use one: --llm-url URL --model NAME, CASECOACH_LLM_BASE_URL, or [llm] (see config.example.toml)"
                    );
                }
                Some(llm) => {
                    println!("model           {} at {}", llm.model, llm.base_url);
                    checks.extend(llm::doctor::run(llm));
                }
            }
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
            let stt = env("CASECOACH_STT_BASE_URL").or(settings.stt.base_url.clone());
            let tts = env("CASECOACH_TTS_BASE_URL").or(settings.tts.base_url.clone());
            checks.extend(voice::doctor(stt.as_deref(), tts.as_deref()));
            checks.extend(voice::device::doctor(
                settings.voice.input_device.as_deref(),
                settings.voice.output_device.as_deref(),
            ));
            println!();
            print!("{}", llm::doctor::render(&checks));
            if checks.iter().any(|c| !c.ok) {
                anyhow::bail!("some checks failed");
            }
            Ok(())
        }
        Command::Sessions => {
            let all = session::list(&settings.sessions_dir)?;
            if all.is_empty() {
                println!(
                    "No sessions yet in {}. Start one with: casecoach chat",
                    settings.sessions_dir.display()
                );
            }
            for s in &all {
                let status = if s.ended { "ended" } else { "unfinished" };
                let rec = s.recommendation.as_deref().unwrap_or("-");
                let problem = s
                    .problem
                    .as_ref()
                    .map(|p| format!("  ({p})"))
                    .unwrap_or_default();
                println!(
                    "{:<40} {:<16} {:>3} answers  {:<11} {:<12} {}{problem}",
                    s.id, s.scenario, s.candidate_turns, status, s.phase, rec
                );
            }
            let scored: Vec<&session::Summary> =
                all.iter().filter(|s| s.stage_scores.is_some()).collect();
            if !scored.is_empty() {
                println!(
                    "\nProgress by stage over {} finished session(s), oldest first (\u{b7} = not assessed)",
                    scored.len()
                );
                let avg = session::stage_averages(&all);
                let weakest = session::weakest_stage(&all);
                for stage in framework::Stage::ALL {
                    let line: String = scored
                        .iter()
                        .map(|s| {
                            session::spark(
                                s.stage_scores
                                    .as_ref()
                                    .and_then(|v| v.get(stage.index()).copied().flatten()),
                            )
                        })
                        .collect();
                    let last = scored
                        .last()
                        .and_then(|s| {
                            s.stage_scores
                                .as_ref()?
                                .get(stage.index())
                                .copied()
                                .flatten()
                        })
                        .map_or("-".to_string(), |x| x.to_string());
                    let mean = avg[stage.index()].map_or("-".to_string(), |a| format!("{a:.1}"));
                    let mark = if weakest == Some(stage) {
                        "  <- weakest: casecoach chat --focus weakest"
                    } else {
                        ""
                    };
                    println!(
                        "  {:<28}{line:<12} last {last}  mean {mean}{mark}",
                        stage.name()
                    );
                }
            }
            Ok(())
        }
        Command::Scenario(ScenarioCommand::List) => {
            for id in scenario::known_ids() {
                match scenario::load(&id) {
                    Ok(s) => println!(
                        "{:<18} {:<14} {:>3} min  {}",
                        s.id,
                        s.kind.id(),
                        s.minutes,
                        s.title
                    ),
                    Err(e) => println!("{id:<18} (cannot load: {e})"),
                }
            }
            Ok(())
        }
        Command::Scenario(ScenarioCommand::Show { id, full }) => {
            let s = scenario::load(id)?;
            println!(
                "{} ({}, {}, {} min)\n\n{}",
                s.title,
                s.id,
                s.kind.id(),
                s.minutes,
                s.prompt
            );
            println!("\nInterviewer: {}, {}", s.persona.name, s.persona.role);
            if *full {
                println!("\nHidden facts:");
                for f in &s.facts {
                    println!("  {}: {}", f.id, f.answer);
                }
                for c in &s.checkpoints {
                    println!("\n{} ({}, weight {}): {}", c.id, c.stage, c.weight, c.title);
                    if let Some(a) = &c.answer {
                        println!("  strong answer: {a}");
                    }
                }
            }
            Ok(())
        }
    }
}
