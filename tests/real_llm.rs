//! Against a real llama.cpp server (scripts/local-llm.sh). `.ci/run` starts one and sets
//! CASECOACH_REAL_LLM_URL; without it these tests say loudly that they did not run.

mod common;

use serde_json::Value;

fn real_url() -> Option<String> {
    common::real_server("CASECOACH_REAL_LLM_URL", "scripts/local-llm.sh")
}

#[test]
fn a_short_interview_runs_end_to_end_on_a_real_server() {
    let Some(url) = real_url() else { return };
    let env = common::Env::new();
    // This proves the protocol on a 2-core CI machine, not the speed: the judge and the line of
    // one turn together take longer there than the 20 s default deadline.
    let conf = env.dir.path().join("config/casecoach");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("config.toml"),
        "[llm]\nturn_deadline_secs = 180\n",
    )
    .unwrap();
    let answers = "What is the business goal, and what is the latency budget?\n\
             I would frame it as binary classification that outputs a fraud probability, judged by precision and recall.\n\
             /end\n";
    let out = env
        .cmd()
        .args(["chat", "fraud", "--llm-url", &url, "--model", "local"])
        .write_stdin(answers)
        .timeout(std::time::Duration::from_secs(240))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stderr.contains("model unavailable"),
        "a turn fell back to the scripted line: {stderr}"
    );
    assert!(stdout.contains("DEBRIEF"));
    let log = std::fs::read_to_string(env.sessions().pop().unwrap()).unwrap();
    let events: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Streamed interviewer lines, with real token counts and timings in the log.
    let lines: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "usage" && e["first_token_ms"].is_u64())
        .collect();
    assert_eq!(lines.len(), 2, "two model-voiced interviewer lines");
    for u in &lines {
        assert!(
            u["completion_tokens"].as_u64().unwrap() > 0
                && u["prompt_tokens"].as_u64().unwrap() > 0,
            "{u}"
        );
        let words = u["total_ms"].as_u64().unwrap();
        eprintln!(
            "real server: first token {} ms, line {} ms, {} completion tokens",
            u["first_token_ms"], words, u["completion_tokens"]
        );
    }
    // The judge's structured output was read (its claims may all be dropped: the model is tiny).
    let judged: Vec<&Value> = events.iter().filter(|e| e["type"] == "judge").collect();
    assert_eq!(judged.len(), 2, "the judge ran on both answers: {stderr}");
    // The interviewer line is the model's, unless the guard stopped its first sentence (the
    // tiny model praises or invents numbers now and then) and logged why. The scripted line of
    // the same turn comes from the same answers with no model; the model may open with the very
    // fact the scripted line reveals, so only the whole line tells them apart.
    let said: Vec<&str> = events
        .iter()
        .filter(|e| e["role"] == "interviewer")
        .filter_map(|e| e["text"].as_str())
        .collect();
    let guarded = events.iter().any(|e| e["type"] == "guarded");
    let scripted_env = common::Env::new();
    let scripted = scripted_env
        .cmd()
        .args(["chat", "fraud"])
        .write_stdin(answers)
        .output()
        .unwrap();
    assert!(scripted.status.success());
    let log = std::fs::read_to_string(scripted_env.sessions().pop().unwrap()).unwrap();
    let scripted_line: Vec<String> = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["role"] == "interviewer")
        .filter_map(|e| e["text"].as_str().map(str::to_string))
        .collect();
    assert!(
        said[1] != scripted_line[1] || guarded,
        "the model's line is the scripted one: {}",
        said[1]
    );
}

#[test]
fn doctor_passes_on_the_real_server() {
    let Some(url) = real_url() else { return };
    let env = common::Env::new();
    let out = env
        .cmd()
        .args(["doctor", "--llm-url", &url, "--model", "local"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("ok   streaming") && text.contains("ok   structured output"),
        "{text}"
    );
}
