//! One deadline for a candidate turn's model work, and what the user sees while it runs: a
//! slow endpoint costs a turn `turn_deadline`, never minutes with nothing on screen.

use super::{LlmConfig, LlmError, interrupt};
use std::time::Duration;

/// When the candidate turn under way began, if one is: its model requests share one deadline.
static TURN: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);

/// A candidate turn's model work, for as long as it lives: the judge and the line it leads to
/// share `turn_deadline`. Outside a turn (the opening line, `/hint`) each request has its own.
pub struct Turn;

impl Turn {
    pub fn begin() -> Turn {
        *TURN.lock().unwrap_or_else(|e| e.into_inner()) = Some(std::time::Instant::now());
        Turn
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        *TURN.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// How many hold that a line is due (`LineDue`): the chat from the answer to the line's end, the
/// spoken loop from the release of the talk key while the candidate waits.
static LINES_DUE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Background requests in flight: a line that falls due lets them leave the server first.
static BACKGROUND: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// The longest a due line waits for background requests to leave.
const MAKE_WAY: Duration = Duration::from_millis(250);

struct InFlight;

impl InFlight {
    fn begin() -> InFlight {
        BACKGROUND.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        BACKGROUND.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A line the candidate is waiting for, until this is dropped. Requests made in the background
/// (the judge, prompts read ahead) give way to it: on a local server they would take the cores
/// the transcript and the line's first token need, so they wait, and one already running is set
/// aside (`LlmError::Yielded`) to be asked again once no line is due.
pub struct LineDue(());

impl LineDue {
    pub fn begin() -> LineDue {
        LINES_DUE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        LineDue(())
    }
}

impl Drop for LineDue {
    fn drop(&mut self) {
        LINES_DUE.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A line is due, and background requests wait for it.
pub fn line_due() -> bool {
    LINES_DUE.load(std::sync::atomic::Ordering::SeqCst) > 0
}

/// When a request that starts now must be done by.
pub(super) fn deadline(config: &LlmConfig) -> tokio::time::Instant {
    let start = TURN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or_else(std::time::Instant::now);
    tokio::time::Instant::from_std(start + config.turn_deadline)
}

/// After this long with nothing to show, the user is told what is going on.
const SAY_WAITING_AFTER: Duration = Duration::from_millis(2000);

/// How often a request in progress looks at Ctrl-C and at a line falling due.
const TICK: Duration = Duration::from_millis(10);

/// Run `work` until it is done, the deadline passes, or Ctrl-C asks to skip it, saying (on a
/// terminal) that casecoach is waiting once it has waited a while.
pub(super) async fn bounded<T>(
    work: impl std::future::Future<Output = Result<T, LlmError>>,
    until: tokio::time::Instant,
    limit: Duration,
    guard: &interrupt::Streaming,
    waiting: &mut Waiting,
) -> Result<T, LlmError> {
    let _in_flight = guard.in_background().then(InFlight::begin);
    if !guard.in_background() && line_due() {
        // A judge request that started a moment before the line fell due sees it within a
        // tick and leaves; the line's request waits for that, briefly.
        let since = std::time::Instant::now();
        while BACKGROUND.load(std::sync::atomic::Ordering::SeqCst) > 0 && since.elapsed() < MAKE_WAY
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    tokio::pin!(work);
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = tokio::time::sleep_until(until) => return Err(LlmError::Deadline(limit.as_secs_f64())),
            _ = tokio::time::sleep(TICK) => {
                if guard.stop_requested() {
                    return Err(LlmError::Skipped);
                }
                if guard.in_background() && line_due() {
                    return Err(LlmError::Yielded);
                }
                waiting.tick();
            }
        }
    }
}

/// Set once something else draws the screen and shows the wait itself (the live voice status
/// line): the status below would write across it.
static SHOWN_ELSEWHERE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on, the wait for the model is shown by the caller's own screen.
pub fn wait_shown_elsewhere() {
    SHOWN_ELSEWHERE.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// The "waiting for the model" status: once a request has waited a while, a count of the
/// seconds against the deadline, kept up to date in place on a terminal and wiped when the
/// first text comes (or the request ends), so the line is written where it stood.
pub(super) struct Waiting {
    since: std::time::Instant,
    quiet: bool,
    limit: Duration,
    /// The whole seconds last shown, once shown.
    shown: Option<u64>,
}

impl Waiting {
    /// `quiet` for a request nobody at the terminal waits on.
    pub(super) fn new(quiet: bool, limit: Duration) -> Waiting {
        use std::io::IsTerminal;
        Waiting {
            since: std::time::Instant::now(),
            quiet: quiet
                || !std::io::stderr().is_terminal()
                || SHOWN_ELSEWHERE.load(std::sync::atomic::Ordering::SeqCst),
            limit,
            shown: None,
        }
    }

    pub(super) fn tick(&mut self) {
        let waited = self.since.elapsed();
        let secs = waited.as_secs();
        if self.quiet || waited < SAY_WAITING_AFTER || self.shown == Some(secs) {
            return;
        }
        // Saved cursor: the status starts where the line will, and each update rewrites it.
        let place = if self.shown.is_none() {
            "\x1b7"
        } else {
            "\x1b8\x1b[K"
        };
        eprint!(
            "{place}(waiting for the model: {secs} s of {:.0}; Ctrl-C to skip)",
            self.limit.as_secs_f64()
        );
        self.shown = Some(secs);
    }

    /// Wipe the status, if it is up.
    pub(super) fn clear(&mut self) {
        if self.shown.take().is_some() {
            eprint!("\x1b8\x1b[K");
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_stays_due_while_anyone_still_waits_for_it() {
        // The spoken loop holds one from the release, the chat one from the answer: the first
        // to let go must not free the cores the other still waits on.
        let driver = LineDue::begin();
        let chat = LineDue::begin();
        drop(chat);
        assert!(line_due());
        drop(driver);
    }
}
