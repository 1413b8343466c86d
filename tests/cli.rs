//! End-to-end tests: they run the real binary with piped input, as a user scripting an interview
//! would, against a private data folder.

mod common;

use common::{Env, events};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn pitfall_ids(report: &Value) -> Vec<String> {
    report["pitfalls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

const FRAMEWORK_IDS: &[&str] = &[
    "clarify.business-objective",
    "clarify.success-metrics",
    "clarify.constraints",
    "clarify.data-availability",
    "clarify.scale",
    "clarify.user-experience",
    "frame.problem-type",
    "frame.inputs",
    "frame.output",
    "frame.ml-metrics",
    "data.sources",
    "data.quality",
    "data.labeling",
    "data.class-imbalance",
    "data.drift",
    "data.privacy",
    "features.raw",
    "features.derived",
    "features.transformations",
    "model.baseline",
    "model.advanced",
    "model.trade-offs",
    "model.choice-justified",
    "training.split",
    "training.cross-validation",
    "training.tuning",
    "training.imbalance",
    "training.regularization",
    "evaluation.offline-metrics",
    "evaluation.online-test",
    "evaluation.business-metrics",
    "evaluation.error-analysis",
    "deployment.serving",
    "deployment.latency",
    "deployment.scalability",
    "deployment.monitoring",
    "deployment.retraining",
];

#[test]
fn a_strong_candidate_gets_hire_or_better_with_every_stage_scored() {
    let env = Env::new();
    let (out, _) = env.chat(&["fraud"], fixture("fraud-strong.txt"));
    assert!(out.contains("Interviewer: Hi, I'm Maya."), "{out}");
    // Hidden facts come out only when asked.
    assert!(out.contains("100 milliseconds"));
    assert!(
        out.contains("Recommendation: STRONG HIRE") || out.contains("Recommendation: HIRE"),
        "{out}"
    );

    let session = &env.sessions()[0];
    let report = env.assess_json("fraud", session);
    let rec = report["overall"]["recommendation"].as_str().unwrap();
    assert!(rec == "hire" || rec == "strong hire", "{rec}");
    let stages = report["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 8);
    for s in stages {
        assert!(s["score"].as_u64().unwrap() >= 3, "{s}");
    }
    // The debrief saved in the log says the same as re-assessing the log.
    let saved = events(session)
        .into_iter()
        .find(|e| e["type"] == "debrief")
        .unwrap();
    assert_eq!(saved["report"]["overall"], report["overall"]);
}

#[test]
fn assess_json_lists_every_framework_id_with_verbatim_evidence() {
    let env = Env::new();
    env.chat(&["fraud"], fixture("fraud-strong.txt"));
    let session = &env.sessions()[0];
    let report = env.assess_json("fraud", session);
    assert_eq!(report["scenario"], "fraud");
    let ids: Vec<&str> = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(&ids[..37], FRAMEWORK_IDS);
    let candidate_text: Vec<String> = events(session)
        .iter()
        .filter(|e| e["type"] == "turn" && e["role"] == "candidate")
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect();
    for c in report["checkpoints"].as_array().unwrap() {
        assert!(c["stage"].is_string() && c["covered"].is_boolean());
        for ev in c["evidence"].as_array().unwrap() {
            let q = ev["quote"].as_str().unwrap();
            assert!(ev["turn"].as_u64().unwrap() >= 1);
            assert!(
                candidate_text.iter().any(|t| t.contains(q)),
                "quote not in the candidate's words: {q}"
            );
        }
        if c["covered"] == true {
            assert_eq!(c["source"], "lexical");
        }
    }
    let stage_ids: Vec<&str> = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        stage_ids,
        [
            "clarify",
            "frame",
            "data",
            "features",
            "model",
            "training",
            "evaluation",
            "deployment"
        ]
    );
    for s in report["stages"].as_array().unwrap() {
        assert!(s["covered"].as_u64().unwrap() <= s["total"].as_u64().unwrap());
    }
}

#[test]
fn a_weak_candidate_gets_no_hire_and_the_pitfalls_are_named() {
    let env = Env::new();
    let (out, _) = env.chat(&["fraud"], fixture("fraud-weak.txt"));
    assert!(out.contains("Recommendation: NO HIRE"), "{out}");
    let report = env.assess_json("fraud", &env.sessions()[0]);
    assert_eq!(report["overall"]["recommendation"], "no hire");
    let p = pitfall_ids(&report);
    for id in [
        "pitfall.no-questions",
        "pitfall.ignored-data-issues",
        "pitfall.poor-communication",
        "pitfall.over-engineering",
    ] {
        assert!(p.iter().any(|x| x == id), "{id} missing from {p:?}");
    }
    for pit in report["pitfalls"].as_array().unwrap() {
        assert!(!pit["evidence"].as_array().unwrap().is_empty(), "{pit}");
    }
    // The stuck candidate was given hints.
    let hints: u64 = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["hints"].as_u64().unwrap())
        .sum();
    assert!(hints >= 3, "{hints}");
    // ...and the debrief cites the interviewer turns that carried them.
    let evs = events(&env.sessions()[0]);
    let hint_lines: Vec<u64> = evs
        .windows(2)
        .filter(|w| {
            w[0]["type"] == "action"
                && w[0]["action"]["kind"] == "hint"
                && w[1]["role"] == "interviewer"
        })
        .map(|w| w[1]["n"].as_u64().unwrap())
        .collect();
    let mut cited = Vec::new();
    for s in report["stages"].as_array().unwrap() {
        for r in s["reasons"].as_array().unwrap() {
            if let Some(rest) = r.as_str().unwrap().strip_prefix("needed ") {
                let list = rest
                    .split_once("(turn")
                    .unwrap()
                    .1
                    .trim_start_matches('s')
                    .trim_end_matches(')');
                cited.extend(list.split(',').map(|t| t.trim().parse::<u64>().unwrap()));
            }
        }
    }
    cited.sort();
    assert!(!cited.is_empty());
    assert_eq!(cited, hint_lines);
}

#[test]
fn jumping_to_xgboost_first_is_redirected_and_named() {
    let env = Env::new();
    let (out, _) = env.chat(&["fraud"], fixture("fraud-skipper.txt"));
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("Interviewer:"))
        .collect();
    assert!(lines[1].contains("Before choosing a model"), "{lines:?}");
    assert!(
        lines[1].contains("XGBoost"),
        "the redirect quotes the candidate: {lines:?}"
    );
    let report = env.assess_json("fraud", &env.sessions()[0]);
    assert!(pitfall_ids(&report).contains(&"pitfall.jumped-to-solution".to_string()));
    let jumped = &report["pitfalls"][0];
    assert_eq!(
        jumped["evidence"][0]["quote"],
        "I'd train an XGBoost model on the transaction features and tune it."
    );
}

/// Wait until the session log holds `n` candidate turns.
fn wait_for_turns(env: &Env, n: usize) -> PathBuf {
    let start = Instant::now();
    loop {
        if let Some(p) = env.sessions().first() {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            if text.matches("\"role\":\"candidate\"").count() >= n && text.ends_with('\n') {
                return p.clone();
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the session never reached {n} turns"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn killing_the_process_loses_no_turn_and_resume_continues() {
    let env = Env::new();
    let bin = assert_cmd::cargo::cargo_bin("casecoach");
    let mut cmd = std::process::Command::new(&bin);
    env.isolate(cmd.env_clear()).args(["chat", "fraud"]);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let strong = fixture("fraud-strong.txt");
    let lines: Vec<&str> = strong.lines().collect();
    for l in &lines[..3] {
        writeln!(stdin, "{l}").unwrap();
    }
    stdin.flush().unwrap();
    let session = wait_for_turns(&env, 3);
    child.kill().unwrap();
    child.wait().unwrap();
    // Simulate the kill landing mid-write as well: a torn last line.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&session)
        .unwrap()
        .write_all(br#"{"v":1,"type":"turn","n":9,"ro"#)
        .unwrap();

    let rest = lines[3..].join("\n") + "\n";
    let (out, err) = env.chat(&["--resume"], rest);
    assert!(err.contains("was cut short"), "{err}");
    assert!(err.contains("Resuming"), "{err}");
    assert!(
        out.contains("Recommendation: STRONG HIRE") || out.contains("Recommendation: HIRE"),
        "{out}"
    );
    assert_eq!(
        env.sessions().len(),
        1,
        "resume must continue the same session"
    );
    let evs = events(&session);
    assert!(evs.iter().any(|e| e["type"] == "resumed"));
    let candidate_turns = evs
        .iter()
        .filter(|e| e["type"] == "turn" && e["role"] == "candidate")
        .count();
    assert_eq!(candidate_turns, lines.len());
    // Evidence from before the kill is still in the debrief.
    let report = env.assess_json("fraud", &session);
    let obj = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "clarify.business-objective")
        .unwrap();
    assert_eq!(obj["evidence"][0]["turn"], 2);
}

#[test]
fn end_of_input_saves_and_resume_picks_the_newest_unfinished() {
    let env = Env::new();
    let (_, err) = env.chat(&["fraud"], "What is the business goal?\n");
    assert!(
        err.contains("Continue with: casecoach chat --resume"),
        "{err}"
    );
    let evs = events(&env.sessions()[0]);
    assert!(!evs.iter().any(|e| e["type"] == "ended"));
    let (out, _) = env.chat(&["--resume"], "/end\n");
    assert!(out.contains("DEBRIEF"), "{out}");
    let out = env
        .cmd()
        .args(["chat", "--resume"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no unfinished session"));
}

#[test]
fn slash_commands_work_from_the_table() {
    let env = Env::new();
    let input = "/help\n/stage\n/hint\n/time\nWhat's the latency budget?\n/notes\n/notes ask about chargebacks\n/notes\n/frob\n/skip\n/stage\n/end\n/hint\n";
    let (out, err) = env.chat(&["fraud", "--mode", "coach", "--minutes", "45"], input);
    for name in [
        "/help", "/hint", "/skip", "/time", "/stage", "/notes", "/end", "/quit",
    ] {
        assert!(out.contains(name), "/help lacks {name}");
    }
    assert!(out.contains("Clarify the problem (1 of 8)"), "{out}");
    assert!(
        out.contains("Think about what the business is trying to protect"),
        "first hint: {out}"
    );
    assert!(out.contains("of 45 min"), "{out}");
    assert!(
        out.contains("Your notes:\n  - ask about chargebacks"),
        "{out}"
    );
    assert!(
        out.contains("[ ] clarify.business-objective"),
        "coach checklist: {out}"
    );
    // After an answer, one line of what the reading credited; the whole list is /stage's.
    assert!(
        out.contains("[Clarify the problem 1/6: constraints]"),
        "coach progress line: {out}"
    );
    let chat = &out[..out.find("DEBRIEF").unwrap_or(out.len())];
    assert_eq!(chat.matches("clarify.scale").count(), 1, "{out}");
    assert!(out.contains("Frame as an ML problem (2 of 8)"), "{out}");
    assert!(err.contains("unknown command /frob"), "{err}");
    let report = env.assess_json("fraud", &env.sessions()[0]);
    assert_eq!(report["stages"][0]["hints"], 1);
    assert_eq!(report["minutes"], 45);
}

#[test]
fn bad_input_is_kept_and_shown_verbatim() {
    let env = Env::new();
    let big = "latency ".repeat(13_000);
    let mut input: Vec<u8> = Vec::new();
    input.extend_from_slice(b"I'd use XGBoost {{scenario.prompt}} <b>&</b>\n\n");
    input.extend_from_slice(b"What about caf\xe9 data?\n");
    input.extend_from_slice(big.as_bytes());
    input.extend_from_slice(b"\n/end\n");
    let (out, err) = env.chat(&["fraud"], input);
    assert!(
        out.contains("\"I'd use XGBoost {{scenario.prompt}} <b>&</b>\""),
        "{out}"
    );
    assert!(err.contains("empty answer"), "{err}");
    assert!(err.contains("not UTF-8"), "{err}");
    assert!(err.contains("counted as 3 minutes"), "{err}");
    let evs = events(&env.sessions()[0]);
    let texts: Vec<&str> = evs
        .iter()
        .filter(|e| e["role"] == "candidate")
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 3, "the empty line is not a turn");
    assert_eq!(texts[1], "What about caf\u{fffd} data?");
    assert_eq!(texts[2].len(), big.trim_end().len() + 1);
}

#[test]
fn unknown_and_broken_scenarios_say_what_and_where() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["chat", "fruad"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown scenario 'fruad'; known scenarios: fraud, recommendations, churn"),
        "{err}"
    );

    let bad = env.dir.path().join("bad.toml");
    std::fs::write(&bad, "id = \"bad\"\ntitle = \"B\"\nprompt = \"p\"\nunplanned_answer = \"u\"\n[persona]\nname = \"n\"\nrole = \"r\"\ngreeting = \"g\"\n[stages.modle]\n").unwrap();
    let out = env
        .cmd()
        .arg("chat")
        .arg(&bad)
        .write_stdin("")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:9:9: unknown stage 'modle'", bad.display())),
        "{err}"
    );
    assert!(
        env.sessions().is_empty(),
        "no session is started for a broken scenario"
    );

    let out = env
        .cmd()
        .args(["chat", "--minutes", "50"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("use 45, 60 or 90"));
}

#[test]
fn a_user_scenario_file_runs_by_path() {
    let env = Env::new();
    let src =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/churn.toml"))
            .unwrap();
    let path = env.dir.path().join("mine.toml");
    std::fs::write(&path, src.replace("id = \"churn\"", "id = \"my-churn\"")).unwrap();
    let (out, _) = env.chat(&[path.to_str().unwrap()], "How do we define churn?\n/end\n");
    assert!(
        out.contains("A subscriber has churned when they cancel"),
        "{out}"
    );
    // Resume finds the file again through the locator in the log.
    let evs = events(&env.sessions()[0]);
    assert_eq!(evs[0]["scenario"], "my-churn");
}

#[test]
fn plain_transcripts_are_assessed_and_reported_in_every_format() {
    let env = Env::new();
    let t = env.dir.path().join("t.txt");
    std::fs::write(
        &t,
        "Interviewer: Tell me how you'd do it.\nCandidate: What's the business goal, and how do we measure success?\nInterviewer: Cut losses.\nCandidate: Then it's a binary classification problem,\nwith a fraud probability as the output.\n",
    )
    .unwrap();
    let report = env.assess_json("fraud", &t);
    assert_eq!(report["source"], "transcript");
    let pt = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "frame.output")
        .unwrap();
    assert_eq!(pt["evidence"][0]["turn"], 4);
    assert_eq!(
        pt["evidence"][0]["quote"],
        "with a fraud probability as the output."
    );
    assert_eq!(report["overall"]["recommendation"], "not assessed");

    env.chat(&["fraud"], fixture("fraud-strong.txt"));
    let id = env.sessions()[0]
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let md = env
        .cmd()
        .args(["debrief", &id[..15], "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(
        md.starts_with("# Debrief: Real-time card fraud detection"),
        "{md}"
    );
    assert!(md.contains("| Clarify the problem | 4/4 |"), "{md}");
    let js = env
        .cmd()
        .args(["debrief", &id, "--format", "json"])
        .output()
        .unwrap();
    let js: Value = serde_json::from_slice(&js.stdout).unwrap();
    assert_eq!(js["checkpoints"].as_array().unwrap().len(), 37);
    let list = env.cmd().arg("sessions").output().unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.contains(&id) && list.contains("ended"), "{list}");
}

#[test]
fn unreadable_session_files_get_clear_messages() {
    let env = Env::new();
    let p = env.dir.path().join("junk.jsonl");
    std::fs::write(&p, "{\"v\":1,\"type\":\"note\",\"text\":\"x\",\"at\":1}\n").unwrap();
    let out = env.cmd().args(["debrief"]).arg(&p).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not start with a 'started' event"));
    let out = env
        .cmd()
        .args(["debrief", "no-such-session"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no session matches 'no-such-session'"));
}

#[test]
fn every_built_in_scenario_separates_a_strong_candidate_from_a_weak_one() {
    for scenario in ["fraud", "recommendations", "churn"] {
        let strong = Env::new();
        strong.chat(&[scenario], fixture(&format!("{scenario}-strong.txt")));
        let report = strong.assess_json(scenario, &strong.sessions()[0]);
        let rec = report["overall"]["recommendation"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            rec == "hire" || rec == "strong hire",
            "{scenario} strong: {rec}"
        );
        for s in report["stages"].as_array().unwrap() {
            assert!(
                s["score"].as_u64().unwrap_or(0) >= 3,
                "{scenario} strong: {s}"
            );
        }
        // Facts were revealed by asking, and the interviewer never read a model answer out.
        let evs = events(&strong.sessions()[0]);
        let facts: usize = evs
            .iter()
            .filter(|e| e["type"] == "action" && e["action"]["kind"] == "answer-fact")
            .map(|e| e["action"]["facts"].as_array().unwrap().len())
            .sum();
        assert!(facts >= 6, "{scenario}: only {facts} facts told");
        let answers: Vec<String> = report["checkpoints"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["model_answer"].as_str().map(str::to_string))
            .collect();
        for e in evs.iter().filter(|e| e["role"] == "interviewer") {
            let said = e["text"].as_str().unwrap();
            assert!(
                !answers.iter().any(|a| said.contains(a.as_str())),
                "{scenario}: model answer leaked: {said}"
            );
        }

        let weak = Env::new();
        weak.chat(&[scenario], fixture("weak-generic.txt"));
        let report = weak.assess_json(scenario, &weak.sessions()[0]);
        assert_eq!(
            report["overall"]["recommendation"], "no hire",
            "{scenario} weak"
        );
        assert!(pitfall_ids(&report).contains(&"pitfall.no-questions".to_string()));
    }
}

#[test]
fn simulate_json_has_the_debrief_shape_plus_transcript_and_quality() {
    let env = Env::new();
    let out = env
        .cmd()
        .args([
            "simulate",
            "--scenario",
            "churn",
            "--candidate",
            "skipper",
            "--json",
        ])
        .output()
        .unwrap();
    common::ok(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["scenario"], "churn");
    assert_eq!(v["persona"], "skipper");
    assert_eq!(v["checkpoints"].as_array().unwrap().len(), 37);
    assert!(v["overall"]["recommendation"].is_string());
    let transcript = v["transcript"].as_array().unwrap();
    assert_eq!(transcript[0]["role"], "interviewer");
    assert_eq!(transcript[1]["role"], "candidate");
    assert!(
        v["quality"]["redirects"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(3))
    );
    assert!(v["quality"]["talk_ratio"].as_f64().unwrap() > 0.0);
    assert!(
        env.sessions().is_empty(),
        "a simulation writes no session log"
    );

    let out = env
        .cmd()
        .args(["simulate", "--candidate", "llm:strong"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a model to play the candidate"));
}

#[test]
fn dry_run_exits_nonzero_when_a_scenario_cannot_be_covered() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["scenario", "dry-run", "fraud"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/fraud.toml"))
            .unwrap();
    let bad = env.dir.path().join("thin.toml");
    std::fs::write(&bad, text.replace("id = \"fraud\"", "id = \"thin\"").replace("answer = \"Fraud dollars prevented, false-decline rate and its lost interchange, step-up completion, customer complaints and review-queue load.\"", "answer = \"Numbers.\"")).unwrap();
    let out = env
        .cmd()
        .args(["scenario", "dry-run"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("FAIL") && stdout.contains("evaluation.business-metrics"),
        "{stdout}"
    );
}

#[test]
fn the_html_report_of_a_fixed_session_holds_the_charts_and_every_quote() {
    let env = Env::new();
    let session =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fraud-strong-session.jsonl");
    let out_file = env.dir.path().join("report.html");
    let out = env
        .cmd()
        .args(["debrief"])
        .arg(&session)
        .args(["--format", "html", "--out"])
        .arg(&out_file)
        .output()
        .unwrap();
    common::ok(&out);
    let html = std::fs::read_to_string(&out_file).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains(r#"<svg class="radar""#) && html.contains(r#"<polygon class="scores""#));
    assert!(html.contains(r#"<svg class="time""#));
    for stage in ["clarify 4/4", "deployment 4/4"] {
        assert!(html.contains(stage), "radar label {stage}");
    }
    // Self-contained and script-free: nothing to fetch, nothing to run.
    for banned in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(banned), "found {banned}");
    }
    assert!(html.contains("@media print"));
    // Every evidence quote of the debrief is in the report, escaped.
    let report = env.assess_json("fraud", &session);
    let mut quotes = 0;
    for c in report["checkpoints"].as_array().unwrap() {
        for e in c["evidence"].as_array().unwrap() {
            let q = casecoach::debrief::html::esc(e["quote"].as_str().unwrap());
            assert!(html.contains(&q), "missing quote: {q}");
            quotes += 1;
        }
    }
    assert!(quotes > 40, "{quotes}");
}

#[test]
fn sessions_show_a_trend_per_stage_and_focus_weakest_uses_it() {
    let env = Env::new();
    env.chat(&["fraud"], fixture("fraud-strong.txt"));
    std::thread::sleep(Duration::from_millis(1100));
    env.chat(&["fraud"], fixture("fraud-weak.txt"));
    let out = env.cmd().arg("sessions").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Progress by stage over 2 finished session(s)"),
        "{text}"
    );
    let clarify = text
        .lines()
        .find(|l| l.trim_start().starts_with("Clarify the problem"))
        .unwrap();
    assert!(
        clarify.contains("\u{2588}\u{2581}") && clarify.contains("last 0"),
        "{clarify}"
    );
    let weakest = text.lines().find(|l| l.contains("<- weakest")).unwrap();
    // `--focus weakest` must practise the stage that `sessions` names as weakest.
    let stage_name = weakest.trim_start().split("  ").next().unwrap().trim();
    std::thread::sleep(Duration::from_millis(1100));
    let (_, said) = env.chat(&["fraud", "--focus", "weakest"], "/end\n");
    assert!(
        said.contains(&format!(
            "--focus weakest: {stage_name}, your weakest stage so far"
        )),
        "the user is told which stage: {said}"
    );
    let evs = events(env.sessions().last().unwrap());
    let focus = evs[0]["focus"]
        .as_str()
        .expect("focus recorded in the started event");
    let names = [
        ("clarify", "Clarify the problem"),
        ("frame", "Frame as an ML problem"),
        ("data", "Data"),
        ("features", "Feature engineering"),
        ("model", "Model selection"),
        ("training", "Training strategy"),
        ("evaluation", "Evaluation"),
        ("deployment", "Deployment and monitoring"),
    ];
    let expected = names.iter().find(|(_, n)| *n == stage_name).unwrap().0;
    assert_eq!(focus, expected);
}

#[test]
fn config_file_then_env_then_flags() {
    let env = Env::new();
    let conf_dir = env.dir.path().join("config/casecoach");
    std::fs::create_dir_all(&conf_dir).unwrap();
    std::fs::write(
        conf_dir.join("config.toml"),
        "[interview]\nscenario = \"churn\"\nminutes = 45\nmode = \"coach\"\n",
    )
    .unwrap();
    env.chat(&[], "/end\n");
    let evs = events(&env.sessions()[0]);
    assert_eq!(
        (
            evs[0]["scenario"].as_str(),
            evs[0]["minutes"].as_u64(),
            evs[0]["mode"].as_str()
        ),
        (Some("churn"), Some(45), Some("coach"))
    );

    // The environment beats the file.
    let out = env
        .cmd()
        .arg("chat")
        .env("CASECOACH_SCENARIO", "recommendations")
        .env("CASECOACH_MODE", "interview")
        .write_stdin("/end\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let evs = events(env.sessions().last().unwrap());
    assert_eq!(
        (
            evs[0]["scenario"].as_str(),
            evs[0]["minutes"].as_u64(),
            evs[0]["mode"].as_str()
        ),
        (Some("recommendations"), Some(45), Some("interview"))
    );

    // Flags beat the file; --sessions-dir beats CASECOACH_DATA_DIR.
    let elsewhere = env.dir.path().join("elsewhere");
    let out = env
        .cmd()
        .args([
            "chat",
            "fraud",
            "--mode",
            "interview",
            "--minutes",
            "90",
            "--sessions-dir",
        ])
        .arg(&elsewhere)
        .write_stdin("/end\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let file = std::fs::read_dir(&elsewhere)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let evs = events(&file);
    assert_eq!(
        (
            evs[0]["scenario"].as_str(),
            evs[0]["minutes"].as_u64(),
            evs[0]["mode"].as_str()
        ),
        (Some("fraud"), Some(90), Some("interview"))
    );
    assert_eq!(
        env.sessions().len(),
        2,
        "the flag's folder was used, not the environment's"
    );

    // A mistake in the config file says where.
    std::fs::write(
        conf_dir.join("config.toml"),
        "[interview]\nmode = \"coach\"\nminuts = 45\n",
    )
    .unwrap();
    let out = env.cmd().args(["chat"]).write_stdin("").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("config.toml:3:1: unknown field `minuts`"),
        "{err}"
    );
    let out = env
        .cmd()
        .args(["--config", "/nonexistent/c.toml", "sessions"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("cannot read config file /nonexistent/c.toml")
    );
}

#[test]
fn a_list_of_buzzwords_does_not_score_like_an_answer() {
    let env = Env::new();
    let buzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fraud-buzzwords.txt");
    let report = env.assess_json("fraud", &buzz);
    let rec = report["overall"]["recommendation"].as_str().unwrap();
    assert!(
        rec == "lean no hire" || rec == "no hire" || rec == "not assessed",
        "{rec}: {}",
        report["overall"]
    );
    // What a list names is marked as named only, and the debrief says what a strong answer adds.
    let named: Vec<&Value> = report["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["only_named"] == true)
        .collect();
    assert!(named.len() >= 10, "{}", named.len());
    assert!(named.iter().all(|c| c["model_answer"].is_string()));
    let data = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "data")
        .unwrap();
    assert!(
        data["reasons"][0].as_str().unwrap().contains("only named"),
        "{data}"
    );
}

#[test]
fn the_debrief_carries_the_transcript_and_the_candidates_notes() {
    let env = Env::new();
    env.chat(
        &["fraud"],
        "What is the business goal here?\n/notes ask about chargeback timing next time\nI'd start with a logistic regression baseline.\n/end\n",
    );
    let session = env.sessions().pop().unwrap();
    let run = |args: &[&str]| {
        let out = env
            .cmd()
            .arg("debrief")
            .arg(&session)
            .args(args)
            .output()
            .unwrap();
        common::ok(&out)
    };
    let transcript = run(&["--transcript"]);
    let goal = transcript
        .find("Candidate: What is the business goal here?")
        .unwrap();
    let baseline = transcript
        .find("Candidate: I'd start with a logistic regression baseline.")
        .unwrap();
    assert!(goal < baseline, "{transcript}");
    assert!(transcript.contains("Interviewer: "), "{transcript}");
    assert!(transcript.contains("ask about chargeback timing next time"));
    assert!(
        !transcript.contains("Recommendation"),
        "the transcript alone"
    );
    let md = run(&["--format", "md"]);
    assert!(
        md.contains("## Transcript") && md.contains("## Your notes"),
        "{md}"
    );
    assert!(md.contains("What is the business goal here?"));
    let html = run(&["--format", "html"]);
    assert!(html.contains("<h2>Transcript</h2>") && html.contains("chargeback timing"));
}
