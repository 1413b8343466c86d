//! Hostile text and unlucky use: escape sequences in answers, model replies, transcripts and
//! scenario files never reach a terminal as themselves; keys never appear in output or logs; a
//! session has one writer at a time. Every server here is a fake on 127.0.0.1.

mod common;

use axum::body::Body;
use axum::http::{Response, StatusCode};
use axum::routing::{get, post};
use common::{Env, events, ok};
use serde_json::json;
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The characters a terminal acts on, other than newline and tab.
fn acted_on(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

fn assert_clean(what: &str, text: &str) {
    let bad = acted_on(text);
    assert!(bad.is_empty(), "{what} holds {bad:?}:\n{text}");
}

const HOSTILE: &str =
    "I'd start with XGBoost \u{1b}]0;pwned\u{7}\u{1b}[2J on <b>all</b> the \u{202e}data";

#[test]
fn a_hostile_answer_is_shown_visibly_everywhere_and_kept_whole_in_the_log() {
    let env = Env::new();
    let input = format!("{HOSTILE}\n/note check \u{1b}[31mred\u{1b}[0m\n/notes\n/end\n");
    let (out, err) = env.chat(&["fraud"], input);
    assert_clean("chat stdout", &out);
    assert_clean("chat stderr", &err);
    assert!(out.contains("^[]0;pwned^G^[[2J"), "{out}");
    assert!(out.contains("check ^[[31mred^[[0m"), "the notes: {out}");

    let log = env.sessions().pop().unwrap();
    let said = events(&log)
        .into_iter()
        .find(|e| e["role"] == "candidate")
        .unwrap();
    assert_eq!(said["text"], HOSTILE, "the log keeps what was said");

    for format in ["text", "md", "html"] {
        let shown = ok(&env
            .cmd()
            .args(["debrief", "--format", format])
            .arg(&log)
            .output()
            .unwrap());
        assert_clean(&format!("debrief --format {format}"), &shown);
        match format {
            // Markdown shows `^[\]` as `^[]`.
            "md" => {
                assert!(shown.contains(r"^[\]0;pwned"), "{shown}");
                assert!(shown.contains(r"\<b\>all\</b\>"), "{shown}");
            }
            "html" => assert!(shown.contains("&lt;b&gt;all&lt;/b&gt;"), "{shown}"),
            _ => assert!(shown.contains("^[]0;pwned"), "{format}: {shown}"),
        }
    }
    let file = env.dir.path().join("report.md");
    ok(&env
        .cmd()
        .args(["debrief", "--format", "md", "--out"])
        .arg(&file)
        .arg(&log)
        .output()
        .unwrap());
    assert_clean(
        "a written Markdown report",
        &std::fs::read_to_string(&file).unwrap(),
    );
    let transcript = ok(&env
        .cmd()
        .args(["debrief", "--transcript"])
        .arg(&log)
        .output()
        .unwrap());
    assert_clean("debrief --transcript", &transcript);
}

#[test]
fn assess_shows_a_hostile_transcript_visibly() {
    let env = Env::new();
    let file = env.dir.path().join("t.txt");
    std::fs::write(
        &file,
        format!("Candidate: {HOSTILE}\nInterviewer: Go on.\nCandidate: Fraud is rare, about 0.1%.\u{1b}[1A\r\n"),
    )
    .unwrap();
    for format in ["text", "md"] {
        let out = env
            .cmd()
            .args(["assess", "--scenario", "fraud", "--format", format])
            .arg(&file)
            .output()
            .unwrap();
        let shown = ok(&out);
        assert_clean("assess stdout", &shown);
        assert_clean("assess stderr", &String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn a_scenario_with_an_escape_is_refused_at_its_place() {
    let env = Env::new();
    let file = env.dir.path().join("evil.toml");
    std::fs::write(
        &file,
        "id = \"evil\"\ntitle = \"Fraud \\u001b]0;pwned\\u0007\"\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["scenario", "check"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("scenario check", &said);
    assert!(
        said.contains("evil.toml:2:16: control character ^[ (U+001B)"),
        "{said}"
    );
    assert!(
        said.contains("evil.toml:2:30: control character ^G"),
        "{said}"
    );
}

fn sse(words: &[&str]) -> String {
    let mut s = String::new();
    for w in words {
        let ev = json!({"choices":[{"index":0,"delta":{"content":w}}]});
        s.push_str(&format!("data: {ev}\n\n"));
    }
    s.push_str("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    s
}

#[test]
fn a_model_reply_with_escapes_is_shown_visibly() {
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        post(|| async {
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from(sse(&[
                    "Tell me ",
                    "\u{1b}]0;title",
                    "\u{7} more",
                    "\u{1b}[2J please.",
                ])))
                .unwrap()
        }),
    );
    let url = format!("http://{}/v1", common::serve(app));
    let env = Env::new();
    let (out, err) = env.chat(
        &["fraud", "--llm-url", &url, "--model", "m"],
        "I would ask how rare fraud is first.\n/end\n",
    );
    assert_clean("chat stdout", &out);
    assert_clean("chat stderr", &err);
    assert!(out.contains("Tell me ^[]0;title^G more"), "{out}");
}

#[test]
fn keys_in_urls_and_echoed_by_a_server_never_appear() {
    const KEY: &str = "zq-test-key-0d3f9a71";
    let app = axum::Router::new()
        .route(
            "/v1/chat/completions",
            post(|| async {
                let body = json!({"error": {"message": format!(
                    "invalid api key {KEY}; header was Authorization: Bearer {KEY}"
                ), "type": "invalid_request_error"}});
                Response::builder()
                    .status(StatusCode::UNAUTHORIZED)
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap()
            }),
        )
        .route(
            "/v1/models",
            get(|| async {
                Response::builder()
                    .status(StatusCode::UNAUTHORIZED)
                    .body(Body::from(format!("bad key {KEY}")))
                    .unwrap()
            }),
        );
    let addr = common::serve(app);
    let url = format!("http://alice:hunter2-in-url@{addr}/v1");
    let env = Env::new();
    let chat = env
        .cmd()
        .env("OPENAI_API_KEY", KEY)
        .args(["chat", "fraud", "--llm-url", &url, "--model", "m"])
        .write_stdin("Fraud is rare, so I would ask about the base rate.\n/end\n")
        .output()
        .unwrap();
    let doctor = env
        .cmd()
        .env("OPENAI_API_KEY", KEY)
        .args(["doctor", "--llm-url", &url, "--model", "m"])
        .output()
        .unwrap();
    let log = std::fs::read_to_string(env.sessions().pop().unwrap()).unwrap();
    let mut all = log.clone();
    for o in [&chat, &doctor] {
        all.push_str(&String::from_utf8_lossy(&o.stdout));
        all.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    assert!(!all.contains(KEY), "the key was shown:\n{all}");
    assert!(
        !all.contains("hunter2"),
        "the URL's password was shown:\n{all}"
    );
    assert!(log.contains(&format!("***@{addr}/v1")), "{log}");
    let doctor_said = String::from_utf8_lossy(&doctor.stdout);
    assert!(
        doctor_said.contains("***"),
        "doctor still says what failed: {doctor_said}"
    );
}

#[test]
fn a_live_session_cannot_be_resumed_twice_and_a_dead_ones_can() {
    let env = Env::new();
    let bin = assert_cmd::cargo::cargo_bin("casecoach");
    let mut cmd = std::process::Command::new(&bin);
    env.isolate(&mut cmd).args(["chat", "fraud"]);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "What is the business goal here?").unwrap();
    stdin.flush().unwrap();
    let start = Instant::now();
    let session = loop {
        // The answer and the reply to it: the live process then waits on stdin, writing nothing.
        let done = env.sessions().first().cloned().filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| {
                t.contains("\"role\":\"candidate\"")
                    && t.matches("\"role\":\"interviewer\"").count() >= 2
                    && t.ends_with('\n')
            })
        });
        if let Some(p) = done {
            break p;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no turn was logged"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let before = std::fs::read_to_string(&session).unwrap();

    let second = env
        .cmd()
        .args(["chat", "--resume"])
        .write_stdin("Another answer from a second terminal.\n/end\n")
        .output()
        .unwrap();
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains(&format!("open in another casecoach (pid {})", child.id())),
        "{err}"
    );
    let other = env
        .cmd()
        .args(["chat", "churn", "--resume"])
        .write_stdin("/end\n")
        .output()
        .unwrap();
    assert!(!other.status.success());
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(err.contains("is a 'fraud' interview, not 'churn'"), "{err}");
    // The same in voice, with the session named by its id.
    let id = session.file_stem().unwrap().to_string_lossy().into_owned();
    let spoken = env
        .cmd()
        .args(["voice", "churn", "--resume", &id, "--audio-in"])
        .arg(env.dir.path())
        .output()
        .unwrap();
    assert!(!spoken.status.success());
    let err = String::from_utf8_lossy(&spoken.stderr);
    assert!(err.contains("is a 'fraud' interview, not 'churn'"), "{err}");
    // Nor can it be removed while it is being written.
    let rm = env.cmd().args(["sessions", "rm", &id]).output().unwrap();
    assert!(!rm.status.success());
    let err = String::from_utf8_lossy(&rm.stderr);
    assert!(err.contains(&format!("(pid {})", child.id())), "{err}");
    assert!(session.exists());
    assert_eq!(
        std::fs::read_to_string(&session).unwrap(),
        before,
        "a refused process wrote nothing"
    );

    child.kill().unwrap();
    child.wait().unwrap();
    let (_, err) = env.chat(
        &["--resume"],
        "Fraud is rare, so precision matters.\n/end\n",
    );
    assert!(
        err.contains("stopped without closing this session"),
        "{err}"
    );
    let turns = events(&session)
        .iter()
        .filter(|e| e["role"] == "candidate")
        .count();
    assert_eq!(turns, 2);
    let left: Vec<_> = std::fs::read_dir(session.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".lock"))
        .collect();
    assert!(
        left.is_empty(),
        "a closed session leaves no lock file: {left:?}"
    );
}

#[test]
fn a_damaged_log_is_listed_and_resumed_with_its_damage_named() {
    let env = Env::new();
    env.chat(
        &["fraud"],
        "What is the business goal?\nHow rare is fraud?\n",
    );
    let session = env.sessions().pop().unwrap();
    append(
        &session,
        b"garbage pasted by hand\n{\"not\": \"an event\"}\n",
    );
    let listed = ok(&env.cmd().arg("sessions").output().unwrap());
    assert!(listed.contains("  2 answers"), "{listed}");
    assert!(listed.contains("2 damaged line(s) skipped"), "{listed}");
    let (out, err) = env.chat(
        &["--resume"],
        "Precision and recall matter more than accuracy.\n/end\n",
    );
    assert!(
        err.contains("are not session events and were skipped"),
        "{err}"
    );
    assert!(out.contains("DEBRIEF"), "{out}");
    let turns = events_lenient(&session);
    assert_eq!(turns, 3, "every answer, before and after the damage");
}

/// A later casecoach appended an event this one does not know: resuming says so, whether the
/// session is named or found as the newest, and nothing in the log changes.
#[test]
fn a_log_from_a_newer_casecoach_says_so_and_is_left_alone() {
    let env = Env::new();
    env.chat(&["fraud"], "What is the business goal?\n");
    let session = env.sessions().pop().unwrap();
    append(&session, b"{\"v\":99,\"type\":\"hologram\",\"turn\":2}\n");
    let before = std::fs::read(&session).unwrap();
    let id = session.file_stem().unwrap().to_string_lossy().into_owned();
    for args in [
        vec!["chat", "--resume"],
        vec!["chat", "--resume", id.as_str()],
    ] {
        let out = env
            .cmd()
            .args(&args)
            .write_stdin("/end\n")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("was written by a newer casecoach"),
            "{args:?}: {err}"
        );
        assert!(err.contains("update casecoach"), "{err}");
    }
    let listed = ok(&env.cmd().arg("sessions").output().unwrap());
    assert!(listed.contains("newer casecoach"), "{listed}");
    assert_eq!(std::fs::read(&session).unwrap(), before);
}

/// Add `bytes` at the end of a session log, as something other than casecoach would.
fn append(path: &std::path::Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(bytes).unwrap();
}

/// Candidate turns in a log that may hold lines that are not events.
fn events_lenient(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["role"] == "candidate")
        .count()
}

#[test]
fn a_finished_session_whose_scenario_file_is_gone_still_shows_its_debrief() {
    let env = Env::new();
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/churn.toml"),
    )
    .unwrap();
    let path = env.dir.path().join("mine.toml");
    std::fs::write(&path, src.replace("id = \"churn\"", "id = \"my-churn\"")).unwrap();
    let (out, _) = env.chat(&[path.to_str().unwrap()], "How do we define churn?\n/end\n");
    let live = out[out.find("DEBRIEF").unwrap()..].to_string();
    std::fs::remove_file(&path).unwrap();
    let session = env.sessions().pop().unwrap();
    let shown = env.cmd().arg("debrief").arg(&session).output().unwrap();
    let text = ok(&shown);
    let err = String::from_utf8_lossy(&shown.stderr);
    assert!(
        err.contains("showing the debrief saved in the session log"),
        "{err}"
    );
    assert!(
        err.contains("my-churn") || err.contains("mine.toml"),
        "{err}"
    );
    assert_eq!(
        text.trim_end(),
        live.trim_end(),
        "the saved debrief, as it was shown"
    );
}

#[test]
fn cr_only_input_is_many_answers_and_a_piped_run_reads_as_a_transcript() {
    let env = Env::new();
    let (out, _) = env.chat(
        &["fraud"],
        "What is the business goal?\rHow rare is fraud?\r/end\r",
    );
    assert!(
        out.contains("Candidate: What is the business goal?\n"),
        "{out}"
    );
    assert!(out.contains("Candidate: How rare is fraud?\n"), "{out}");
    assert!(out.contains("DEBRIEF"), "/end was seen: {out}");
    let first = out.find("Candidate: What is").unwrap();
    let second = out.find("Candidate: How rare").unwrap();
    let reply = out[first..second].find("Interviewer:").map(|i| i + first);
    assert!(
        reply.is_some_and(|r| r < second),
        "each answer is followed by its reply: {out}"
    );
    assert_eq!(events_lenient(&env.sessions().pop().unwrap()), 2);
}

#[test]
fn sessions_have_a_header_filters_and_rm() {
    let env = Env::new();
    env.chat(&["fraud"], "What is the business goal?\n/end\n");
    env.chat(&["churn"], "How do we define churn?\n");
    let list = |args: &[&str]| ok(&env.cmd().arg("sessions").args(args).output().unwrap());
    let all = list(&[]);
    let header = all.lines().next().unwrap();
    assert!(
        header.starts_with("session") && header.contains("scenario") && header.contains("answers"),
        "{all}"
    );
    assert_eq!(
        all.lines()
            .skip(1)
            .filter(|l| l.contains(" answers"))
            .count(),
        2,
        "{all}"
    );
    let churn = list(&["--scenario", "churn"]);
    assert!(
        churn.contains("churn") && !churn.contains(" fraud "),
        "{churn}"
    );
    assert!(list(&["--since", "2999-01-01"]).contains("No sessions match"));
    let since = list(&["--since", "2000-01-01"]);
    assert_eq!(since.matches("1 answers").count(), 2, "{since}");
    // The progress view counts only the sessions listed: the finished fraud one, or none.
    assert!(
        all.contains("Progress by stage over 1 finished session(s)"),
        "{all}"
    );
    assert!(!churn.contains("Progress by stage"), "{churn}");
    let bad = env
        .cmd()
        .args(["sessions", "--since", "yesterday"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad.stderr).contains("give a day as YYYY-MM-DD"));

    let fraud = env
        .sessions()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("fraud"))
        .unwrap();
    let id = fraud.file_stem().unwrap().to_string_lossy().into_owned();
    let removed = ok(&env.cmd().args(["sessions", "rm", &id]).output().unwrap());
    assert!(
        removed.contains(&format!("Removed session {id}")),
        "{removed}"
    );
    assert!(!fraud.exists());
    assert_eq!(env.sessions().len(), 1);
}
