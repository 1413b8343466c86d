//! Writing scenarios: the scaffold, the checker's exit codes, the JSON Schema and AUTHORING.md.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cmd(home: &Path) -> Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("casecoach"));
    common::isolate_in(&mut c, home);
    Command::from_std(c)
}

fn toml_as_json(text: &str) -> Value {
    serde_json::to_value(toml::from_str::<toml::Value>(text).unwrap()).unwrap()
}

#[test]
fn authoring_md_embeds_the_reference_generated_from_the_schema() {
    let doc = std::fs::read_to_string(root().join("AUTHORING.md")).unwrap();
    let start =
        doc.find("<!-- reference:start -->\n").unwrap() + "<!-- reference:start -->\n".len();
    let end = doc.find("<!-- reference:end -->").unwrap();
    assert_eq!(
        &doc[start..end],
        casecoach::scenario::schema_reference(),
        "regenerate with `casecoach scenario schema --markdown`"
    );
    // Every top-level key of the format has a row.
    let schema = casecoach::scenario::schema();
    for key in schema["properties"].as_object().unwrap().keys() {
        assert!(
            doc.contains(&format!("| `{key}` |")),
            "{key} missing from AUTHORING.md"
        );
    }
}

#[test]
fn the_schema_accepts_the_built_ins_and_the_scaffold_and_rejects_broken_files() {
    let schema = casecoach::scenario::schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (id, text) in casecoach::scenario::BUILTIN {
        let errors: Vec<String> = validator
            .iter_errors(&toml_as_json(text))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{id}: {errors:?}");
    }
    let scaffold =
        casecoach::scenario::scaffold::render("x", casecoach::framework::InterviewType::CodingMl);
    assert!(validator.is_valid(&toml_as_json(&scaffold)));

    let fraud = casecoach::scenario::BUILTIN[0].1;
    for (what, broken) in [
        (
            "unknown field",
            fraud.replace("unplanned_answer =", "colour = \"red\"\nunplanned_answer ="),
        ),
        ("bad length", fraud.replace("minutes = 60", "minutes = 50")),
        (
            "bad type",
            fraud.replace("type = \"case-study\"", "type = \"quiz\""),
        ),
        (
            "unknown stage",
            fraud.replace("[stages.frame]", "[stages.framing]"),
        ),
        (
            "bad checkpoint id",
            fraud.replace(
                "[checkpoints.\"data.quality\"]",
                "[checkpoints.\"quality\"]",
            ),
        ),
        (
            "missing prompt",
            fraud.replace("prompt = \"\"\"", "intro = \"\"\""),
        ),
        (
            "cues not a list",
            fraud.replacen(
                "cues = [\"business goal\"",
                "cues = \"business goal\" \nold = [\"x\"",
                1,
            ),
        ),
    ] {
        assert!(
            !validator.is_valid(&toml_as_json(&broken)),
            "the schema accepted: {what}"
        );
        // And the loader agrees.
        assert!(
            casecoach::scenario::parse(&broken, "b.toml", casecoach::scenario::Origin::Builtin)
                .is_err(),
            "{what}"
        );
    }
}

#[test]
fn new_then_check_is_clean_and_runs_by_name() {
    let home = tempfile::tempdir().unwrap();
    let out = cmd(home.path())
        .args(["scenario", "new", "ad-ranking", "--type", "system-design"])
        .output()
        .unwrap();
    common::ok(&out);
    let path = home
        .path()
        .join("config/casecoach/scenarios/ad-ranking.toml");
    assert!(path.exists());
    // It loads as it is; --strict holds it back until the TODOs are filled in.
    let check = |strict: bool| {
        let mut c = cmd(home.path());
        c.args(["scenario", "check"]);
        if strict {
            c.arg("--strict");
        }
        c.arg(&path).output().unwrap()
    };
    let out = check(false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 error(s)"));
    let out = check(true);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!out.status.success());
    assert!(
        said.contains("ad-ranking.toml:7:10: warning: a scaffold TODO is still here"),
        "{said}"
    );
    let filled = std::fs::read_to_string(&path)
        .unwrap()
        .replace("TODO", "Filled in");
    std::fs::write(&path, filled).unwrap();
    let out = check(true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 error(s), 0 warning(s) in 1 file(s)"));
    // It is listed and runs by name.
    let list = cmd(home.path())
        .args(["scenario", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("ad-ranking"));
    let chat = cmd(home.path())
        .args(["chat", "ad-ranking"])
        .write_stdin("What is the business goal?\n/end\n")
        .output()
        .unwrap();
    assert!(chat.status.success());
    assert!(
        String::from_utf8_lossy(&chat.stdout)
            .contains("Filled in: what the business wants from this system.")
    );
    // It is not overwritten.
    let again = cmd(home.path())
        .args(["scenario", "new", "ad-ranking"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn check_exits_by_severity() {
    let home = tempfile::tempdir().unwrap();
    let fraud = casecoach::scenario::BUILTIN[0].1;
    let warn = home.path().join("warn.toml");
    let renamed = fraud.replace(
        "answer = \"Card numbers are tokenised",
        "old_answer = \"Card numbers are tokenised",
    );
    assert_ne!(renamed, fraud);
    std::fs::write(&warn, renamed).unwrap();
    // That is an unknown field: an error. A real warning: a missing answer.
    let out = cmd(home.path())
        .args(["scenario", "check"])
        .arg(&warn)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("unknown field `old_answer`"));

    let lint_only = fraud.replace(
        "answer = \"Card numbers are tokenised under PCI; GDPR applies in the EU; exclude protected attributes and restrict access to raw identifiers.\"",
        "",
    );
    std::fs::write(&warn, lint_only).unwrap();
    let out = cmd(home.path())
        .args(["scenario", "check"])
        .arg(&warn)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(": warning: checkpoint 'data.privacy' has no model answer"),
        "{stdout}"
    );
    assert!(stdout.contains("0 error(s), 1 warning(s)"), "{stdout}");
    let strict = cmd(home.path())
        .args(["scenario", "check", "--strict"])
        .arg(&warn)
        .output()
        .unwrap();
    assert_eq!(strict.status.code(), Some(1));

    let big = home.path().join("big.toml");
    std::fs::write(&big, "x".repeat(1024 * 1024 + 1)).unwrap();
    let out = cmd(home.path())
        .args(["scenario", "check"])
        .arg(&big)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("scenario files are limited to 1048576 bytes")
    );
    let bin = home.path().join("bin.toml");
    std::fs::write(&bin, b"id = \"a\"\ntitle = \"\xff\"\n").unwrap();
    let out = cmd(home.path())
        .args(["scenario", "check"])
        .arg(&bin)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("bin.toml:2:10: the file is not valid UTF-8 text"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_built_ins_check_clean_from_the_command_line() {
    let home = tempfile::tempdir().unwrap();
    let out = cmd(home.path())
        .args(["scenario", "check", "--strict"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let schema = cmd(home.path())
        .args(["scenario", "schema"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&schema.stdout).unwrap();
    assert_eq!(v["title"], "casecoach scenario");
}

#[test]
fn show_hides_the_answers_unless_asked_for_the_authors_view() {
    let home = tempfile::tempdir().unwrap();
    let candidate = cmd(home.path())
        .args(["scenario", "show", "fraud"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&candidate.stdout).to_string();
    assert!(
        text.contains("Walk me through how you would design it."),
        "{text}"
    );
    assert!(
        !text.contains("100 milliseconds") && !text.contains("strong answer"),
        "the candidate's view leaks: {text}"
    );
    let full = cmd(home.path())
        .args(["scenario", "show", "fraud", "--full"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&full.stdout).to_string();
    assert!(
        text.contains("100 milliseconds") && text.contains("strong answer: Ask what we protect"),
        "{text}"
    );
}

#[test]
fn authoring_md_lists_the_default_cues_generated_from_the_framework() {
    let doc = std::fs::read_to_string(root().join("AUTHORING.md")).unwrap();
    let start = doc.find("<!-- cues:start -->\n").unwrap() + "<!-- cues:start -->\n".len();
    let end = doc.find("<!-- cues:end -->").unwrap();
    assert_eq!(
        &doc[start..end],
        casecoach::scenario::cues_reference(),
        "regenerate with `casecoach scenario cues`"
    );
    for c in casecoach::framework::CHECKPOINTS {
        assert!(
            doc[start..end].contains(&format!("| `{}`:", c.id)),
            "{}",
            c.id
        );
    }
}
