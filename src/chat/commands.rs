//! The chat's slash commands: one table drives dispatch, `/help` and tab completion.

use crate::interview::Phase;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Help,
    Hint,
    Skip,
    Time,
    Stage,
    Notes,
    Task,
    Edit,
    Run,
    Submit,
    End,
    Quit,
}

pub struct Spec {
    pub name: &'static str,
    pub args: &'static str,
    pub help: &'static str,
    pub cmd: Cmd,
    /// When the command makes sense; outside it, the user is told why not.
    pub allowed: fn(Phase) -> bool,
}

fn always(_: Phase) -> bool {
    true
}

fn in_stage(p: Phase) -> bool {
    matches!(p, Phase::Stage(_))
}

fn not_ended(p: Phase) -> bool {
    !matches!(p, Phase::Ended)
}

pub const COMMANDS: &[Spec] = &[
    Spec {
        name: "help",
        args: "",
        help: "list these commands",
        cmd: Cmd::Help,
        allowed: always,
    },
    Spec {
        name: "hint",
        args: "",
        help: "ask for a hint (it counts in the debrief)",
        cmd: Cmd::Hint,
        allowed: in_stage,
    },
    Spec {
        name: "skip",
        args: "",
        help: "move on to the next stage",
        cmd: Cmd::Skip,
        allowed: in_stage,
    },
    Spec {
        name: "time",
        args: "",
        help: "spoken time used, overall and in this stage",
        cmd: Cmd::Time,
        allowed: always,
    },
    Spec {
        name: "stage",
        args: "",
        help: "the current stage and what it asks of you",
        cmd: Cmd::Stage,
        allowed: always,
    },
    Spec {
        name: "notes",
        args: "[TEXT]",
        help: "show what you've learned so far; with TEXT, save a note",
        cmd: Cmd::Notes,
        allowed: always,
    },
    Spec {
        name: "task",
        args: "",
        help: "a coding round: the task, its examples and your solution file",
        cmd: Cmd::Task,
        allowed: always,
    },
    Spec {
        name: "edit",
        args: "",
        help: "a coding round: open your solution in $VISUAL or $EDITOR",
        cmd: Cmd::Edit,
        allowed: not_ended,
    },
    Spec {
        name: "run",
        args: "[FILE]",
        help: "a coding round: run your solution (or FILE) on the examples",
        cmd: Cmd::Run,
        allowed: not_ended,
    },
    Spec {
        name: "submit",
        args: "[FILE]",
        help: "a coding round: run your solution (or FILE) on the hidden tests",
        cmd: Cmd::Submit,
        allowed: not_ended,
    },
    Spec {
        name: "end",
        args: "",
        help: "finish now and get the debrief",
        cmd: Cmd::End,
        allowed: not_ended,
    },
    Spec {
        name: "quit",
        args: "",
        help: "save and leave; `casecoach chat --resume` continues",
        cmd: Cmd::Quit,
        allowed: always,
    },
];

#[derive(Debug, PartialEq)]
pub enum Parsed<'a> {
    NotCommand,
    Command(&'static Spec, &'a str),
    Unknown(String),
    Ambiguous(String, Vec<&'static str>),
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/{}", self.name)
    }
}

impl PartialEq for Spec {
    fn eq(&self, other: &Spec) -> bool {
        self.name == other.name
    }
}

/// A line is a command when it starts with `/` and a letter; unique prefixes work (`/h` is not
/// unique, `/hi` is).
pub fn parse(line: &str) -> Parsed<'_> {
    let t = line.trim();
    let Some(rest) = t.strip_prefix('/') else {
        return Parsed::NotCommand;
    };
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Parsed::NotCommand;
    }
    let (word, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let word = word.to_ascii_lowercase();
    if let Some(spec) = COMMANDS.iter().find(|s| s.name == word) {
        return Parsed::Command(spec, arg.trim());
    }
    let matches: Vec<&'static Spec> = COMMANDS
        .iter()
        .filter(|s| s.name.starts_with(&word))
        .collect();
    match matches.as_slice() {
        [one] => Parsed::Command(one, arg.trim()),
        [] => Parsed::Unknown(word),
        many => Parsed::Ambiguous(word, many.iter().map(|s| s.name).collect()),
    }
}

pub fn help() -> String {
    COMMANDS
        .iter()
        .map(|s| {
            format!(
                "  /{:<14}{}",
                format!("{} {}", s.name, s.args).trim(),
                s.help
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Completions for what has been typed so far.
pub fn complete(prefix: &str) -> Vec<String> {
    let Some(word) = prefix.strip_prefix('/') else {
        return vec![];
    };
    COMMANDS
        .iter()
        .filter(|s| s.name.starts_with(word))
        .map(|s| format!("/{}", s.name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Stage;

    #[test]
    fn parsing_prefixes_and_arguments() {
        assert!(matches!(parse("/hint"), Parsed::Command(s, "") if s.cmd == Cmd::Hint));
        assert!(
            matches!(parse("  /NOTES  check the 90 days "), Parsed::Command(s, "check the 90 days") if s.cmd == Cmd::Notes)
        );
        assert!(matches!(parse("/sk"), Parsed::Command(s, _) if s.cmd == Cmd::Skip));
        assert_eq!(
            parse("/h"),
            Parsed::Ambiguous("h".into(), vec!["help", "hint"])
        );
        assert_eq!(parse("/frobnicate"), Parsed::Unknown("frobnicate".into()));
        assert_eq!(parse("I'd use a 50/50 split"), Parsed::NotCommand);
        assert_eq!(parse("/ 2 is half"), Parsed::NotCommand);
    }

    #[test]
    fn the_table_drives_help_completion_and_permissions() {
        for s in COMMANDS {
            assert!(help().contains(&format!("/{}", s.name)));
        }
        assert_eq!(complete("/s"), vec!["/skip", "/stage", "/submit"]);
        assert!(complete("hello").is_empty());
        let hint = COMMANDS.iter().find(|s| s.cmd == Cmd::Hint).unwrap();
        assert!((hint.allowed)(Phase::Stage(Stage::Data)));
        assert!(!(hint.allowed)(Phase::WrapUp));
    }
}
