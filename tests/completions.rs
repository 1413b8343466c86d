//! Shell completions and the manual page come from the parser itself.

mod common;

use common::{Env, ok};

#[test]
fn completions_for_each_shell_know_the_subcommands_and_their_flags() {
    let env = Env::new();
    for (shell, marker) in [
        ("bash", "_casecoach()"),
        ("zsh", "#compdef casecoach"),
        ("fish", "complete -c casecoach"),
    ] {
        let script = ok(&env.cmd().args(["completions", shell]).output().unwrap());
        assert!(
            script.contains(marker),
            "{shell}: {}",
            &script[..200.min(script.len())]
        );
        for word in ["chat", "debrief", "sessions", "resume", "focus"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let bad = env.cmd().args(["completions", "tcsh"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("possible values"));
}

#[test]
fn the_manual_page_is_roff_with_every_subcommand() {
    let env = Env::new();
    let page = ok(&env.cmd().arg("man").output().unwrap());
    assert!(page.contains(".TH casecoach"), "no title header");
    for sub in [
        "chat", "voice", "assess", "debrief", "simulate", "sessions", "doctor", "scenario",
    ] {
        assert!(page.contains(sub), "the page does not mention {sub}");
    }
}

/// `voice --help` and README's spoken-practice section give the same two ways to answer: a
/// microphone in a `mic` build (with the ALSA headers on Linux), or WAV recordings.
#[test]
fn voice_help_and_the_readme_agree_on_the_microphone() {
    let env = Env::new();
    let help = ok(&env.cmd().args(["voice", "--help"]).output().unwrap());
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Spoken practice"))
        .expect("README has a Spoken practice section");
    for needed in ["--features mic", "libasound2-dev", "--audio-in"] {
        assert!(
            help.contains(needed),
            "voice --help lacks {needed}:\n{help}"
        );
        assert!(section.contains(needed), "README's section lacks {needed}");
    }
}
