//! The model judge off the turn's path. Asked in series, the judge held every reply back by its
//! whole request (seconds on a small local model, sometimes its full deadline), though the
//! director never needs it: the reader's reading is enough to decide the next move. So a thread
//! of its own asks it while the candidate reads the line and thinks, and the chat records what
//! came back at the start of the next turn (or before the debrief, waiting at most the turn
//! deadline). Its verdicts are logged as events like any other, so replay is unchanged. While a
//! line is due it does not ask at all (`llm::LineDue`): on a local server its request would take
//! the cores the line's first token needs.

use crate::interview::Interview;
use crate::llm::Backend;
use crate::llm::judge::Verdict;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

/// A turn for the judge: the interview as it stood once the turn was read.
struct Ask {
    turn: usize,
    iv: Interview,
    text: String,
    this_turn: Vec<usize>,
}

/// What the judge made of candidate turn `turn`, or why it could not say.
pub struct Answer {
    pub turn: usize,
    pub verdict: Result<Verdict, String>,
}

pub struct Judging {
    to: Sender<Ask>,
    from: Receiver<Answer>,
    pending: usize,
    /// The longest the debrief waits for the verdicts still out: one turn's deadline.
    limit: Duration,
}

impl Judging {
    /// A judge on a thread of its own, asking `backend` one turn at a time, in order.
    pub fn start(mut backend: Box<dyn Backend + Send>, limit: Duration) -> Judging {
        let (to, asks) = channel::<Ask>();
        let (answers, from) = channel();
        std::thread::spawn(move || {
            for a in asks {
                let verdict = loop {
                    // The line comes first (`LineDue`): wait for it, and ask again when a line
                    // fell due while the judge was asking.
                    while crate::llm::line_due() {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    match crate::llm::judge::judge(backend.as_mut(), &a.iv, &a.text, &a.this_turn) {
                        Err(crate::llm::LlmError::Yielded) => continue,
                        v => break v.map_err(|e| e.to_string()),
                    }
                };
                if answers
                    .send(Answer {
                        turn: a.turn,
                        verdict,
                    })
                    .is_err()
                {
                    return;
                }
            }
        });
        Judging {
            to,
            from,
            pending: 0,
            limit,
        }
    }

    /// Ask about candidate turn `turn`, read as `this_turn`'s checkpoints in `iv`.
    pub fn ask(&mut self, turn: usize, iv: &Interview, text: &str, this_turn: Vec<usize>) {
        let ask = Ask {
            turn,
            iv: iv.clone(),
            text: text.to_string(),
            this_turn,
        };
        if self.to.send(ask).is_ok() {
            self.pending += 1;
        }
    }

    /// How many verdicts were asked for and have not come back.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// The verdicts that have come back, without waiting.
    pub fn arrived(&mut self) -> Vec<Answer> {
        let got: Vec<Answer> = self.from.try_iter().collect();
        self.pending -= got.len();
        got
    }

    /// Every verdict still to come, waiting at most the limit for them all; the ones that miss
    /// it are given up (the reader's reading of those turns stands).
    pub fn settle(&mut self) -> Vec<Answer> {
        let until = Instant::now() + self.limit;
        let mut got = Vec::new();
        while self.pending > 0 {
            match self
                .from
                .recv_timeout(until.saturating_duration_since(Instant::now()))
            {
                Ok(a) => {
                    self.pending -= 1;
                    got.push(a);
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        got
    }
}
