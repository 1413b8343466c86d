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

/// Run `work` until it is done, the deadline passes, or Ctrl-C asks to skip it, saying (on a
/// terminal) that casecoach is waiting once it has waited a while.
pub(super) async fn bounded<T>(
    work: impl std::future::Future<Output = Result<T, LlmError>>,
    until: tokio::time::Instant,
    limit: Duration,
    guard: &interrupt::Streaming,
    waiting: &mut Waiting,
) -> Result<T, LlmError> {
    tokio::pin!(work);
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = tokio::time::sleep_until(until) => return Err(LlmError::Deadline(limit.as_secs_f64())),
            _ = tokio::time::sleep(Duration::from_millis(50)) => {
                if guard.stop_requested() {
                    return Err(LlmError::Skipped);
                }
                waiting.tick();
            }
        }
    }
}

/// The "waiting for the model" notice: shown once a request has waited a while, on a terminal.
pub(super) struct Waiting {
    since: std::time::Instant,
    shown: bool,
}

impl Waiting {
    /// Says it is waiting once it has; `quiet` for a request nobody at the terminal waits on.
    pub(super) fn new(quiet: bool) -> Waiting {
        Waiting {
            since: std::time::Instant::now(),
            shown: quiet,
        }
    }

    pub(super) fn tick(&mut self) {
        use std::io::IsTerminal;
        if !self.shown && self.since.elapsed() >= SAY_WAITING_AFTER {
            self.shown = true;
            if std::io::stderr().is_terminal() {
                eprint!("(waiting for the model; Ctrl-C to skip) ");
            }
        }
    }
}
