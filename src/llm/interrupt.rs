//! Ctrl-C while the model speaks stops the generation, not the program. A SIGINT handler is
//! installed when a model is configured: during a stream it asks the stream to stop; at any other
//! time it leaves the way Ctrl-C always did (every completed turn is already on disk). At the
//! prompt rustyline reads Ctrl-C as a key, so the prompt's own handling is unchanged.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

static STREAMING: AtomicBool = AtomicBool::new(false);
static STOP: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

pub fn install() {
    INSTALL.call_once(|| {
        std::thread::spawn(|| {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                while tokio::signal::ctrl_c().await.is_ok() {
                    if STREAMING.load(Ordering::SeqCst) {
                        STOP.store(true, Ordering::SeqCst);
                    } else {
                        errln!("\n(interrupted; everything said so far is saved: casecoach chat --resume)");
                        std::process::exit(130);
                    }
                }
            });
        });
    });
}

/// Stop the stream in progress, if any: the talk key in voice mode does what Ctrl-C does.
pub fn stop_current() {
    if STREAMING.load(Ordering::SeqCst) {
        STOP.store(true, Ordering::SeqCst);
    }
}

/// Marks a stream in progress for as long as it lives.
pub struct Streaming {
    /// False for a request made in the background (the judge between turns): Ctrl-C and the
    /// talk key are about the line the candidate hears, never about it.
    foreground: bool,
}

impl Streaming {
    pub fn begin() -> Streaming {
        STOP.store(false, Ordering::SeqCst);
        STREAMING.store(true, Ordering::SeqCst);
        Streaming { foreground: true }
    }

    /// A request nobody is waiting on at the terminal: it neither hears nor changes Ctrl-C.
    pub fn background() -> Streaming {
        Streaming { foreground: false }
    }

    /// A request nobody at the terminal waits on.
    pub fn in_background(&self) -> bool {
        !self.foreground
    }

    /// Whether Ctrl-C asked this stream to stop.
    pub fn stop_requested(&self) -> bool {
        self.foreground && STOP.load(Ordering::SeqCst)
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        if self.foreground {
            STREAMING.store(false, Ordering::SeqCst);
            STOP.store(false, Ordering::SeqCst);
        }
    }
}
