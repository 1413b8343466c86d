//! The real terminal in voice mode, owned by one object: raw keys through crossterm (with key
//! release under the kitty keyboard protocol), a status line, and a line editor on demand.
//! Whatever happens (an error, a panic, Ctrl-C) the terminal is given back as it was found.

use super::live::Terminal;
use super::turn::{Key, KeyKind, Ptt, Status};
use crossterm::event::{
    self, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, KeyboardEnhancementFlags,
    PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::{execute, terminal};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Whether keyboard flags were pushed and raw mode entered; the restorers read it.
static PUSHED: AtomicBool = AtomicBool::new(false);
static RAW: AtomicBool = AtomicBool::new(false);

fn restore() {
    let mut out = std::io::stdout();
    if PUSHED.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, PopKeyboardEnhancementFlags);
    }
    if RAW.swap(false, Ordering::SeqCst) {
        let _ = terminal::disable_raw_mode();
    }
    let _ = write!(out, "\r\x1b[2K");
    let _ = out.flush();
}

pub struct Tty {
    hold: bool,
    /// The status line is drawn (and must be cleared before other output).
    status_shown: bool,
    /// The last output did not end a line, so the status line waits.
    mid_line: bool,
    status: String,
}

impl Tty {
    /// Take the terminal. `ptt` Auto is resolved here: hold when the terminal reports releases.
    pub fn open(ptt: Option<Ptt>) -> anyhow::Result<(Tty, Ptt)> {
        // A panic must not leave the shell in raw mode with kitty flags pushed.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        let supported = terminal::supports_keyboard_enhancement().unwrap_or(false);
        let ptt = match ptt {
            Some(Ptt::Hold) if !supported => {
                errln!(
                    "(this terminal does not report key release, so hold-to-talk cannot work: using toggle; \
                     kitty, WezTerm, foot, Ghostty and recent Alacritty support it)"
                );
                Ptt::Toggle
            }
            Some(p) => p,
            None if supported => Ptt::Hold,
            None => Ptt::Toggle,
        };
        terminal::enable_raw_mode()?;
        RAW.store(true, Ordering::SeqCst);
        keep_newlines();
        if ptt == Ptt::Hold {
            execute!(
                std::io::stdout(),
                PushKeyboardEnhancementFlags(
                    KeyboardEnhancementFlags::REPORT_EVENT_TYPES
                        | KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES
                )
            )?;
            PUSHED.store(true, Ordering::SeqCst);
        }
        Ok((
            Tty {
                hold: ptt == Ptt::Hold,
                status_shown: false,
                mid_line: false,
                status: String::new(),
            },
            ptt,
        ))
    }

    fn clear_status(&mut self) {
        if self.status_shown {
            print!("\r\x1b[2K");
            self.status_shown = false;
        }
    }

    fn draw_status(&mut self) {
        if self.mid_line || self.status.is_empty() {
            return;
        }
        // Our own escapes around the status, which is cleaned: it can hold a transcript.
        print!(
            "\r\x1b[2K\x1b[2m{}\x1b[0m",
            crate::screen::safe(&self.status)
        );
        let _ = std::io::stdout().flush();
        self.status_shown = true;
    }

    fn enter(&mut self) {
        if terminal::enable_raw_mode().is_ok() {
            RAW.store(true, Ordering::SeqCst);
            keep_newlines();
        }
        if self.hold
            && execute!(
                std::io::stdout(),
                PushKeyboardEnhancementFlags(
                    KeyboardEnhancementFlags::REPORT_EVENT_TYPES
                        | KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES
                )
            )
            .is_ok()
        {
            PUSHED.store(true, Ordering::SeqCst);
        }
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        restore();
    }
}

/// Raw mode also stops "\n" returning the carriage; output from every thread (the interview's
/// notices on stderr too) should still land at the start of a line, so put that one flag back.
fn keep_newlines() {
    #[cfg(unix)]
    // SAFETY: tcgetattr/tcsetattr on stdout's descriptor with a zeroed, then filled, termios.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(1, &mut t) == 0 {
            t.c_oflag |= libc::OPOST | libc::ONLCR;
            libc::tcsetattr(1, libc::TCSANOW, &t);
        }
    }
}

fn key_of(k: KeyEvent) -> Option<(Key, KeyKind)> {
    let kind = match k.kind {
        KeyEventKind::Press => KeyKind::Press,
        KeyEventKind::Repeat => KeyKind::Repeat,
        KeyEventKind::Release => KeyKind::Release,
    };
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let key = match k.code {
        KeyCode::Char('c') if ctrl => Key::CtrlC,
        KeyCode::Char('d') if ctrl => Key::CtrlD,
        KeyCode::Char(' ') => Key::Space,
        KeyCode::Char(c) => Key::Char(c.to_ascii_lowercase()),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        _ => return None,
    };
    Some((key, kind))
}

impl Terminal for Tty {
    fn key(&mut self, timeout: Duration) -> Option<(Key, KeyKind)> {
        if !event::poll(timeout).ok()? {
            return None;
        }
        match event::read().ok()? {
            event::Event::Key(k) => key_of(k),
            _ => None,
        }
    }

    fn line(&mut self, prompt: &str, initial: &str) -> Option<String> {
        self.clear_status();
        restore();
        let _ = std::io::stdout().flush();
        let text = rustyline::DefaultEditor::new()
            .ok()
            .and_then(|mut rl| rl.readline_with_initial(prompt, (initial, "")).ok());
        self.enter();
        text
    }

    fn print(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.clear_status();
        out!("{text}");
        self.mid_line = !text.ends_with('\n');
        let _ = std::io::stdout().flush();
        self.draw_status();
    }

    fn status(&mut self, _: Status, text: &str) {
        self.status = text.to_string();
        self.draw_status();
    }
}
