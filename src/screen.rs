//! What may reach a terminal. Text from outside the program (answers, transcripts, model replies,
//! scenario files, server error bodies) can hold control characters: an escape sequence that
//! clears the screen or sets the window title, a carriage return that writes over a line, a
//! bidirectional override that shows words in another order than they are stored. `safe` turns
//! each of them into visible text, so what is printed is what is there; and it takes out keys.
//!
//! Every print goes through `outln!`, `out!` or `errln!`, which clean the whole formatted line:
//! casecoach's own format strings hold no control characters, so nothing of ours is lost. The
//! two places that write escapes of their own (the bold speaker name in chat, the voice status
//! line) clean the text they put between them.

use std::borrow::Cow;

/// `text` with every character a terminal would act on, other than newline and tab, shown as
/// visible text: C0 controls in caret notation (`^[` for escape), DEL as `^?`, C1 controls and
/// bidirectional formatting as `<U+202E>`. A Windows line end is a line end.
/// Credentials are taken out first (`secret::redact`): what a terminal shows is what may be seen.
pub fn safe(text: &str) -> Cow<'_, str> {
    match crate::secret::redact(text) {
        Cow::Borrowed(t) => shown(t),
        Cow::Owned(t) => Cow::Owned(shown(&t).into_owned()),
    }
}

fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acted_on) {
        return Cow::Borrowed(text);
    }
    let mut o = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            c if !acted_on(c) => o.push(c),
            '\u{7f}' => o.push_str("^?"),
            c if (c as u32) < 0x20 => {
                o.push('^');
                o.push(char::from(b'@' + c as u8));
            }
            c => o.push_str(&format!("<U+{:04X}>", c as u32)),
        }
    }
    Cow::Owned(o)
}

/// A character a terminal acts on rather than shows: what `safe` makes visible.
pub fn acted_on(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || bidi(c)
}

/// The bidirectional formatting characters, which reorder what follows them on screen.
fn bidi(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `parts` joined by `sep`, a new line started between two parts wherever the next would run
/// past `width` columns: a terminal wraps a long line wherever the edge falls, mid-word.
pub fn fit(parts: &[String], sep: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for part in parts {
        let cols = part.chars().count();
        if line > 0 && line + sep.chars().count() + cols > width {
            out.push('\n');
            line = 0;
        }
        if line > 0 {
            out.push_str(sep);
            line += sep.chars().count();
        }
        out.push_str(part);
        line += cols;
    }
    out
}

/// The width of the terminal on stderr (where notices go), when it is one.
pub fn notice_width() -> Option<usize> {
    use std::io::IsTerminal;
    std::io::stderr()
        .is_terminal()
        .then(|| crossterm::terminal::size().ok())
        .flatten()
        .map(|(w, _)| w as usize)
}

/// A terminal's echo set one way while this lives, and put back as it was after. Off while the
/// interviewer speaks: keys typed then wait in the terminal's buffer for the next prompt, which
/// shows them as typed, instead of landing in the middle of the streaming line. On again for a
/// program the candidate works in meanwhile (`/edit`'s editor), which may read lines with the
/// terminal as it finds it. Nothing is changed when `fd` is not a terminal.
pub struct Echo {
    #[cfg(unix)]
    was: Option<(i32, libc::termios)>,
}

impl Echo {
    pub fn off(fd: i32) -> Echo {
        Echo::set(fd, false)
    }

    pub fn on(fd: i32) -> Echo {
        Echo::set(fd, true)
    }

    #[cfg_attr(not(unix), allow(unused_variables))]
    fn set(fd: i32, on: bool) -> Echo {
        #[cfg(unix)]
        // SAFETY: tcgetattr fills a zeroed termios for `fd`; tcsetattr gets it back with one
        // flag changed.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(fd, &mut t) != 0 || (t.c_lflag & libc::ECHO != 0) == on {
                return Echo { was: None };
            }
            let was = t;
            match on {
                true => t.c_lflag |= libc::ECHO,
                false => t.c_lflag &= !libc::ECHO,
            }
            if libc::tcsetattr(fd, libc::TCSANOW, &t) != 0 {
                return Echo { was: None };
            }
            Echo {
                was: Some((fd, was)),
            }
        }
        #[cfg(not(unix))]
        Echo {}
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some((fd, t)) = self.was.take() {
            // SAFETY: the termios read from this descriptor before the echo was changed.
            unsafe {
                libc::tcsetattr(fd, libc::TCSANOW, &t);
            }
        }
    }
}

/// `println!`, with the line made `safe`.
macro_rules! outln {
    () => { println!() };
    ($($arg:tt)*) => { println!("{}", $crate::screen::safe(&format!($($arg)*))) };
}

/// `print!`, with the text made `safe`.
macro_rules! out {
    ($($arg:tt)*) => { print!("{}", $crate::screen::safe(&format!($($arg)*))) };
}

/// `eprintln!`, with the line made `safe`.
macro_rules! errln {
    () => { eprintln!() };
    ($($arg:tt)*) => { eprintln!("{}", $crate::screen::safe(&format!($($arg)*))) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_broken_between_its_parts_not_mid_word() {
        let parts: Vec<String> = [
            "casecoach",
            "Fraud detection for card payments (fraud)",
            "60 min",
            "/help for commands",
        ]
        .map(String::from)
        .to_vec();
        let one = fit(&parts, " | ", 200);
        assert_eq!(
            one,
            "casecoach | Fraud detection for card payments (fraud) | 60 min | /help for commands"
        );
        let two = fit(&parts, " | ", 60);
        assert_eq!(
            two,
            "casecoach | Fraud detection for card payments (fraud)\n60 min | /help for commands"
        );
        assert!(two.lines().all(|l| l.chars().count() <= 60));
        // A part wider than the screen gets a line of its own rather than being cut.
        assert_eq!(fit(&parts, " | ", 5).lines().count(), 4);
    }

    #[test]
    fn plain_text_is_borrowed_and_unchanged() {
        let t = "Precision at 0.15% fraud rate,\n\tthen recall — naïve Bayes? 日本";
        assert!(matches!(safe(t), Cow::Borrowed(s) if s == t));
    }

    #[test]
    fn escape_sequences_are_shown_not_acted_on() {
        let t = "ok\x1b]0;pwned\x07\x1b[2J\x1b[31mred\u{9b}1m";
        let s = safe(t);
        assert_eq!(s, "ok^[]0;pwned^G^[[2J^[[31mred<U+009B>1m");
        assert!(!s.chars().any(|c| c.is_control()));
    }

    #[test]
    fn carriage_returns_cannot_overwrite_a_line() {
        assert_eq!(safe("line one\r\nline two"), "line one\nline two");
        assert_eq!(safe("I agree\rI refuse"), "I agree^MI refuse");
        assert_eq!(safe("bell\x07 del\x7f nul\0"), "bell^G del^? nul^@");
    }

    /// The print macros of std are used only where a line is cleaned by hand or holds nothing
    /// from outside: a new raw print anywhere else fails here.
    #[test]
    fn nothing_prints_around_the_cleaning_macros() {
        const CLEANED_BY_HAND: &[&str] = &[
            "screen.rs",
            "main.rs",
            "voice/terminal.rs",
            "voice/device.rs",
            "llm/turn.rs",
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![root.clone()];
        let mut raw = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let name = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if !name.ends_with(".rs") || CLEANED_BY_HAND.contains(&name.as_str()) {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let t = line.trim_start();
                    let printing = ["println!(", "print!(", "eprintln!(", "eprint!("]
                        .iter()
                        .any(|m| t.starts_with(m) || t.contains(&format!(" {m}")));
                    if printing && !t.starts_with("//") {
                        raw.push(format!("{name}:{}: {t}", n + 1));
                    }
                }
            }
        }
        assert!(
            raw.is_empty(),
            "raw prints; use outln!/out!/errln!:\n{}",
            raw.join("\n")
        );
    }

    /// Typed ahead while the interviewer speaks: not shown, and not lost.
    #[cfg(unix)]
    #[test]
    fn keys_typed_while_unechoed_are_kept_for_the_prompt_but_not_shown() {
        use std::io::{Read, Write};
        use std::os::fd::FromRawFd;
        let (mut master, mut slave) = (0, 0);
        // SAFETY: openpty fills two descriptors; each is owned by one File from here on.
        let (mut master, slave_file) = unsafe {
            let ok = libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            );
            assert_eq!(ok, 0);
            libc::fcntl(master, libc::F_SETFL, libc::O_NONBLOCK);
            (
                std::fs::File::from_raw_fd(master),
                std::fs::File::from_raw_fd(slave),
            )
        };
        let echo = |fd| unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            libc::tcgetattr(fd, &mut t);
            t.c_lflag & libc::ECHO != 0
        };
        assert!(echo(slave));
        {
            let _quiet = Echo::off(slave);
            assert!(!echo(slave));
            master.write_all(b"I would use PR-AUC\n").unwrap();
            std::thread::sleep(std::time::Duration::from_millis(50));
            let mut shown = [0u8; 64];
            let n = master.read(&mut shown).unwrap_or(0);
            assert_eq!(&shown[..n], b"", "typed keys were echoed");
        }
        assert!(echo(slave), "the echo is back after the line");
        let mut kept = [0u8; 64];
        let n = (&slave_file).read(&mut kept).unwrap();
        assert_eq!(&kept[..n], b"I would use PR-AUC\n");
        // `/edit` inside a turn: the editor sees the terminal echo again, and the turn's
        // silence comes back when it is done.
        {
            let _quiet = Echo::off(slave);
            {
                let _editing = Echo::on(slave);
                master.write_all(b"def ndcg():\n").unwrap();
                std::thread::sleep(std::time::Duration::from_millis(50));
                let mut shown = [0u8; 64];
                let n = master.read(&mut shown).unwrap_or(0);
                assert_eq!(
                    &shown[..n],
                    b"def ndcg():\r\n",
                    "the editor's keys were not shown"
                );
            }
            assert!(
                !echo(slave),
                "the echo came back on after the editor, mid-turn"
            );
        }
        assert!(echo(slave));
        // Not a terminal: nothing to change, nothing to restore.
        let file = tempfile::tempfile().unwrap();
        assert!(
            Echo::off(std::os::fd::AsRawFd::as_raw_fd(&file))
                .was
                .is_none()
        );
    }

    #[test]
    fn bidirectional_overrides_are_named() {
        assert_eq!(safe("abc\u{202e}fed\u{2066}"), "abc<U+202E>fed<U+2066>");
    }
}
