//! A coding round end to end: the real binary, piped, with solutions passed by path as a
//! script or a test would, and the real Python runner.

mod common;

use common::{Env, events};
use serde_json::Value;
use std::path::{Path, PathBuf};

const TASK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/coding/pr-auc");

fn solution(env: &Env, name: &str, code: &str) -> PathBuf {
    let p = env.dir.path().join(name);
    std::fs::write(&p, code).unwrap();
    p
}

fn rubric(report: &Value, id: &str) -> bool {
    report["code"]["rubric"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report}"))["met"]
        .as_bool()
        .unwrap()
}

#[test]
fn submissions_are_graded_reviewed_and_scored_in_the_debrief() {
    let env = Env::new();
    let reference = Path::new(TASK).join("reference.py");
    let wrong = Path::new(TASK).join("wrong.py");
    let input = format!(
        "How many scores come in one call, and can two scores tie?\n\
         /run {reference}\n/skip\n/skip\n/skip\n\
         I'll sort the indices by score from high to low and walk groups of tied scores, keeping running counts of positives seen and items seen.\n\
         /submit {wrong}\n\
         My loop counted tied items one at a time, so a tie across classes depended on input order.\n\
         /submit {reference}\n/end\n",
        reference = reference.display(),
        wrong = wrong.display()
    );
    let (out, _) = env.chat(&["coding-pr-auc", "--reader", "lexical"], input);
    // The task card: what to write and how.
    assert!(out.contains("Coding task: PR-AUC"), "{out}");
    assert!(out.contains("def pr_auc(scores: list[float], labels: list[int]) -> float:"));
    assert!(out.contains("examples: 2 of 2 passed"), "{out}");
    // The wrong solution: the count, the failing cases by name and family, and a question
    // on the first family; never the hidden inputs.
    assert!(out.contains("hidden tests: 11 of 14 passed"), "{out}");
    assert!(out.contains("[ties]"), "{out}");
    assert!(
        out.contains("Walk me through how your code handles the ties cases."),
        "{out}"
    );
    assert!(out.contains("hidden tests: 14 of 14 passed"), "{out}");
    assert!(out.contains("All 14 hidden cases pass."), "{out}");

    let log = &env.sessions()[0];
    let runs: Vec<Value> = events(log)
        .into_iter()
        .filter(|e| e["type"] == "code")
        .collect();
    assert_eq!(runs.len(), 3);
    for failed in runs[1]["failed"].as_array().unwrap() {
        let keys: Vec<&String> = failed.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["category", "name", "result", "why"], "{failed}");
    }
    // Beside the session log, the solution file holds the code last run.
    let kept = std::fs::read_to_string(log.with_extension("py")).unwrap();
    assert_eq!(kept, std::fs::read_to_string(&reference).unwrap());

    let report = env.assess_json("coding-pr-auc", log);
    assert_eq!(report["code"]["submissions"], 2);
    assert_eq!(report["code"]["runs"], 1);
    assert_eq!(report["code"]["passed"], 14);
    for id in [
        "code.correctness",
        "code.signature",
        "code.validation",
        "code.edge-cases",
    ] {
        assert!(rubric(&report, id), "{id}: {}", report["code"]);
    }
    // Never said, so not credited.
    assert!(!rubric(&report, "code.complexity"));
    // Every format shows the rubric and the code.
    let id = log.file_stem().unwrap().to_string_lossy().to_string();
    let md = env
        .cmd()
        .args(["debrief", &id, "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(
        md.contains("## Code") && md.contains("- [x] `code.correctness`"),
        "{md}"
    );
    assert!(md.contains("```python\ndef pr_auc("), "{md}");
    let html = env.dir.path().join("report.html");
    let out = env
        .cmd()
        .args(["debrief", &id, "--format", "html", "--out"])
        .arg(&html)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(html).unwrap();
    assert!(
        html.contains("<h2>Code</h2>") && html.contains("labels: list[int]) -&gt; float"),
        "html"
    );
    // The stages a coding round leaves out are not held against it.
    let features = &report["stages"][3];
    assert_eq!(features["status"], "not in this round", "{features}");
    assert!(
        !report["overall"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("Feature engineering")),
        "{}",
        report["overall"]
    );
    // Removing the session removes its solution file too.
    let out = env.cmd().args(["sessions", "rm", &id]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!log.exists() && !log.with_extension("py").exists());
}

#[test]
fn a_runaway_or_broken_solution_is_reported_and_the_interview_goes_on() {
    let env = Env::new();
    let hangs = solution(
        &env,
        "hangs.py",
        "def pr_auc(scores, labels):\n    while True:\n        pass\n",
    );
    let broken = solution(&env, "broken.py", "def pr_auc(scores, labels:\n");
    let input = format!(
        "/submit {}\n/submit {}\n/submit /no/such/file.py\n/edit\nCan scores tie?\n/end\n",
        hangs.display(),
        broken.display()
    );
    let (out, err) = env.chat(&["coding-pr-auc", "--reader", "lexical"], input);
    assert!(out.contains("stopped at the time limit"), "{out}");
    assert!(
        out.contains("Your code does not load: SyntaxError"),
        "{out}"
    );
    assert!(out.contains("It doesn't run as submitted."), "{out}");
    assert!(err.contains("cannot read /no/such/file.py"), "{err}");
    assert!(err.contains("/edit needs a terminal"), "{err}");
    // The question after them was still heard and answered.
    assert!(out.contains("Ties are common"), "{out}");
    let report = env.assess_json("coding-pr-auc", &env.sessions()[0]);
    assert!(!rubric(&report, "code.correctness"));
    assert_ne!(report["overall"]["recommendation"], "hire");
}

#[test]
fn coding_commands_outside_a_coding_round_say_so() {
    let env = Env::new();
    let (_, err) = env.chat(&["fraud", "--reader", "lexical"], "/run\n/end\n");
    assert!(err.contains("/run is for coding rounds"), "{err}");
}

#[test]
fn a_user_coding_scenario_names_its_own_task_folder_and_check_runs_it() {
    let env = Env::new();
    let dir = env.dir.path().join("my-round");
    let task = dir.join("my-task");
    std::fs::create_dir_all(&task).unwrap();
    for f in ["task.toml", "cases.toml", "reference.py", "wrong.py"] {
        std::fs::copy(Path::new(TASK).join(f), task.join(f)).unwrap();
    }
    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/coding-pr-auc.toml"
    ))
    .unwrap();
    let file = dir.join("round.toml");
    let own = builtin
        .replace("id = \"coding-pr-auc\"", "id = \"my-round\"")
        .replace("task = \"pr-auc\"", "task = \"my-task\"");
    std::fs::write(&file, &own).unwrap();
    let check = |f: &Path| {
        env.cmd()
            .args(["scenario", "check", "--strict"])
            .arg(f)
            .output()
            .unwrap()
    };
    let out = check(&file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A reference that fails its own cases is an error, said where; so is a plausible mistake
    // the cases cannot catch.
    let right = std::fs::read_to_string(task.join("reference.py")).unwrap();
    let mistake = std::fs::read_to_string(task.join("wrong.py")).unwrap();
    std::fs::write(task.join("reference.py"), &mistake).unwrap();
    std::fs::write(task.join("wrong.py"), &right).unwrap();
    let out = check(&file);
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("round.toml:8:1") && said.contains("reference.py fails"),
        "{said}"
    );
    assert!(said.contains("wrong.py passes every hidden case"), "{said}");

    // A coding round without a task, and a task on a case study, are errors.
    std::fs::write(&file, own.replace("task = \"my-task\"\n", "")).unwrap();
    let said = String::from_utf8_lossy(&check(&file).stdout).to_string();
    assert!(said.contains("a coding-ml scenario needs `task`"), "{said}");
    std::fs::write(
        &file,
        own.replace("type = \"coding-ml\"", "type = \"case-study\""),
    )
    .unwrap();
    let said = String::from_utf8_lossy(&check(&file).stdout).to_string();
    assert!(
        said.contains("only a coding-ml scenario has a `task`"),
        "{said}"
    );
}

#[test]
fn chat_type_picks_a_round_of_that_type() {
    let env = Env::new();
    let (out, _) = env.chat(&["--type", "coding-ml", "--reader", "lexical"], "/end\n");
    assert!(out.contains("Coding task:"), "{out}");
    // The round of that type practised least: a second system-design session is another
    // scenario than the first.
    let design = ["ad-click-prediction", "feed-ranking", "support-assistant"];
    let picked = |out: &str| {
        design
            .into_iter()
            .find(|id| out.contains(&format!("({id})")))
            .unwrap_or_else(|| panic!("{out}"))
    };
    let (first, _) = env.chat(
        &["--type", "system-design", "--reader", "lexical"],
        "/end\n",
    );
    let (second, _) = env.chat(
        &["--type", "system-design", "--reader", "lexical"],
        "/end\n",
    );
    assert_ne!(picked(&first), picked(&second));
    // A default scenario from the environment gives way to --type; one typed out does not.
    let out = env
        .cmd()
        .env("CASECOACH_SCENARIO", "fraud")
        .args(["chat", "--type", "coding-ml", "--reader", "lexical"])
        .write_stdin("/end\n")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Coding task:"));
    let out = env
        .cmd()
        .args(["chat", "fraud", "--type", "coding-ml"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("give a scenario (fraud) or --type, not both"),
        "{err}"
    );
}
