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
