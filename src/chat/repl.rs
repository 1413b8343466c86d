//! The chat's loop: read a line, run it as an answer or a slash command, until the interview
//! ends or the candidate leaves.

use super::commands::{self, Cmd, Parsed};
use super::input::{self, Input};
use super::{Chat, Settings, notice};
use crate::coding::Suite;
use crate::interview::Mode;
use crate::interview::director::Request;
use crate::screen::Echo;
use crate::{interviewer, session};
use anyhow::Result;
use std::io::IsTerminal;

/// What the loop should do after a line.
pub(crate) enum Next {
    Continue,
    Leave,
}

/// A command that could not do what was asked says why; the interview goes on.
fn report(done: Result<()>) {
    if let Err(e) = done {
        notice(&format!("{e:#}"));
    }
}

pub(crate) fn handle_line(chat: &mut Chat, text: &str) -> Result<Next> {
    match commands::parse(text) {
        Parsed::NotCommand => {
            if text.trim().is_empty() {
                notice(
                    "(empty answer: type your answer, /hint if you're stuck, /help for commands)",
                );
            } else {
                // Piped, the output is the transcript: it says what the candidate said too.
                if !chat.tty {
                    chat.show(&format!("Candidate: {text}"));
                }
                chat.candidate(text)?;
            }
        }
        Parsed::Unknown(w) => notice(&format!("unknown command /{w}; /help lists the commands")),
        Parsed::Ambiguous(w, names) => notice(&format!(
            "/{w} could be {}",
            names
                .iter()
                .map(|n| format!("/{n}"))
                .collect::<Vec<_>>()
                .join(" or ")
        )),
        Parsed::Command(spec, arg) => {
            if !(spec.allowed)(chat.iv().phase) {
                notice(&format!(
                    "/{} is not available now ({})",
                    spec.name,
                    session::phase_label(chat.iv().phase)
                ));
                return Ok(Next::Continue);
            }
            match spec.cmd {
                Cmd::Help => chat.show(&commands::help()),
                Cmd::Hint => {
                    chat.request(Request::Hint)?;
                }
                Cmd::Skip => {
                    chat.request(Request::Skip)?;
                }
                Cmd::End => {
                    chat.request(Request::End)?;
                }
                Cmd::Time => chat.show(&chat.time_report()),
                Cmd::Stage => {
                    chat.show(&interviewer::stage_line(chat.iv()));
                    if chat.iv().mode == Mode::Coach {
                        chat.print_checklist();
                    }
                }
                Cmd::Notes if arg.is_empty() => chat.show(&chat.notes_report()),
                Cmd::Notes => {
                    chat.note(arg)?;
                    notice("(note saved)");
                }
                Cmd::Task | Cmd::Edit | Cmd::Run | Cmd::Submit if chat.task().is_none() => {
                    notice(&format!(
                        "/{} is for coding rounds; this scenario has no coding task \
                         (`casecoach scenario list` shows the coding-ml ones)",
                        spec.name
                    ))
                }
                Cmd::Task => chat.show_task()?,
                Cmd::Edit => report(chat.edit()),
                Cmd::Run => chat.run_code(Suite::Examples, arg)?,
                Cmd::Submit => chat.run_code(Suite::Hidden, arg)?,
                Cmd::Quit => return Ok(Next::Leave),
            }
        }
    }
    Ok(Next::Continue)
}

pub fn run(settings: &Settings, resume: Option<&str>) -> Result<()> {
    let mut chat = match resume {
        Some(q) => Chat::resume(settings, (!q.is_empty()).then_some(q))?,
        None => {
            let tty = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
            let mut chat = Chat::start_with(settings, Box::new(std::io::stdout()), tty)?;
            notice(&chat.header());
            let _quiet = tty.then(|| Echo::off(0));
            chat.open()?;
            chat
        }
    };
    let input = Input::spawn(chat.tty);
    let mut interrupted = false;
    while !chat.ended() {
        let prompt = if chat.tty { "you> " } else { "" };
        match input.read(prompt) {
            input::Typed::Line { text, lossy } => {
                interrupted = false;
                if lossy {
                    notice("(some input bytes were not UTF-8; they were replaced with U+FFFD)");
                }
                // Keys typed before the interviewer has finished wait for the prompt instead of
                // landing inside the line as it streams.
                let _quiet = chat.tty.then(|| Echo::off(0));
                if let Next::Leave = handle_line(&mut chat, &text)? {
                    break;
                }
            }
            input::Typed::Interrupted if !interrupted => {
                interrupted = true;
                notice("(line cleared; Ctrl-C again saves and leaves)");
            }
            input::Typed::Interrupted | input::Typed::Eof => break,
            input::Typed::Failed(e) => {
                notice(&format!("cannot read input: {e}"));
                break;
            }
        }
    }
    if !chat.ended() {
        let id = chat.log().id();
        notice(&format!(
            "Saved. Continue with: casecoach chat --resume {id}"
        ));
    }
    Ok(())
}
