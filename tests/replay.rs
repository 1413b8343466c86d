//! Replay equals live: the state rebuilt from a session's log is the state the live session
//! had, for every built-in scenario, persona and mode. And logs written before the log recorded
//! its readings (schema 1) still resume and debrief as they did.

mod common;

use casecoach::debrief::{self, Basis};
use casecoach::interview::Mode;
use casecoach::reader::Lexical;
use casecoach::scenario;
use casecoach::session::{self, Event, SCHEMA};
use casecoach::sim::{self, Persona};
use common::Env;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// The events as the log file holds them, read back the way a resume reads them.
fn through_the_file(events: &[Event]) -> session::Loaded {
    let mut bytes = Vec::new();
    for e in events {
        let mut v = serde_json::to_value(e).unwrap();
        v["v"] = SCHEMA.into();
        bytes.extend(serde_json::to_vec(&v).unwrap());
        bytes.push(b'\n');
    }
    session::parse(&bytes, Path::new("<test>")).unwrap()
}

#[test]
fn the_state_rebuilt_from_the_log_is_the_live_state() {
    let mut runs = 0;
    for id in scenario::known_ids() {
        let sc = Arc::new(scenario::load(&id).unwrap());
        for persona in Persona::ALL {
            for mode in [Mode::Interview, Mode::Coach] {
                let live = sim::run(
                    sc.clone(),
                    persona,
                    mode,
                    None,
                    None,
                    None,
                    Arc::new(Lexical),
                )
                .unwrap();
                let loaded = through_the_file(&live.events);
                let replayed = session::replay(&loaded, sc.clone(), &Lexical).unwrap();
                let what = format!("{id} / {} / {}", persona.id(), mode.id());
                assert!(
                    replayed.interview == live.interview,
                    "{what}: state differs"
                );
                assert!(
                    replayed.unlogged.is_empty(),
                    "{what}: replay had to read a turn"
                );
                let again = debrief::report(&replayed.interview, Basis::Session);
                assert_eq!(
                    serde_json::to_value(&again).unwrap(),
                    serde_json::to_value(&live.report).unwrap(),
                    "{what}: debrief differs"
                );
                runs += 1;
            }
        }
    }
    assert!(runs >= 36, "{runs}");
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Where two JSON values first differ, as a path.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.keys()
                .chain(y.keys())
                .find_map(|k| match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => first_difference(p, q, &format!("{at}.{k}")),
                    _ => Some(format!("{at}.{k} (present on one side only)")),
                })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}[{i}]"))),
        _ => (a != b).then(|| format!("{at}: {a} vs {b}")),
    }
}

/// A debrief that must stay as it is. Old logs carry no readings (schema 1), so they are read
/// by today's lexical reader: a deliberate change to it, or to the debrief, changes these
/// snapshots, and `CASECOACH_BLESS=1 cargo test --test replay` writes them again for the
/// commit's diff to show.
fn expect_debrief(stdout: &[u8], expected: &Path) {
    if std::env::var_os("CASECOACH_BLESS").is_some() {
        std::fs::write(expected, stdout).unwrap();
        return;
    }
    let now: Value = serde_json::from_slice(stdout).unwrap();
    if let Some(d) = first_difference(&now, &json(expected), "") {
        panic!("the debrief differs from {} at {d}", expected.display());
    }
}

#[test]
fn a_finished_schema_1_log_still_debriefs() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["debrief", "--format", "json"])
        .arg(fixture("v1-fraud-weak-ended.jsonl"))
        .output()
        .unwrap();
    common::ok(&out);
    expect_debrief(&out.stdout, &fixture("v1-fraud-weak-ended.debrief.json"));
}

#[test]
fn an_unfinished_schema_1_log_resumes_and_ends() {
    let env = Env::new();
    let dir = env.dir.path().join("data/sessions");
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("20261201-192836-fraud.jsonl");
    std::fs::copy(fixture("v1-fraud-coach-unfinished.jsonl"), &log).unwrap();
    let rest: String = std::fs::read_to_string(fixture("fraud-strong.txt"))
        .unwrap()
        .lines()
        .skip(8)
        .map(|l| format!("{l}\n"))
        .collect();
    let out = env
        .cmd()
        .args(["chat", "--resume", "20261201-192836"])
        .write_stdin(rest)
        .output()
        .unwrap();
    common::ok(&out);
    let out = env
        .cmd()
        .args(["debrief", "--format", "json", "20261201-192836"])
        .output()
        .unwrap();
    common::ok(&out);
    expect_debrief(
        &out.stdout,
        &fixture("v1-fraud-coach-unfinished.resumed.debrief.json"),
    );
}

#[test]
fn a_debrief_applies_the_logged_reading_and_rescore_reads_again() {
    let env = Env::new();
    env.chat(
        &["fraud"],
        std::fs::read_to_string(fixture("fraud-strong.txt")).unwrap(),
    );
    let log = env.sessions().pop().unwrap();
    let covered = |args: &[&str]| -> usize {
        let out = env
            .cmd()
            .args(["debrief", "--format", "json"])
            .arg(&log)
            .args(args)
            .output()
            .unwrap();
        let report: Value = serde_json::from_str(&common::ok(&out)).unwrap();
        report["checkpoints"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["covered"] == true)
            .count()
    };
    let before = covered(&[]);
    assert!(before >= 30, "{before}");
    // Take the logged credits out, as if an older reader had seen nothing in those turns.
    let text = std::fs::read_to_string(&log).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.contains(r#""type":"coverage""#))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&log, kept).unwrap();
    assert_eq!(
        covered(&[]),
        0,
        "replay must apply what was logged, not read again"
    );
    assert_eq!(covered(&["--rescore"]), before);
}
