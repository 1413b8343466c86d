//! Prompts read ahead: once a line is out, and again as a long answer is heard piece by piece,
//! the server reads the prompt the next line will start with, so that when the answer ends only
//! its last words and the turn's notes are new to the server's cache (a local server reads
//! about 300 tokens a second on two cores: the read is most of the wait for the first word).

use super::{Backend, Message, Usage};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};

/// A thread of its own with a client of its own (made `in_background`, so it gives way to a
/// line that falls due).
pub struct ReadAhead {
    prompts: Sender<Vec<Message>>,
    /// Tokens the reads used since they were last taken: a hosted API bills them like any
    /// other prompt, so they are counted like any other.
    spent: Arc<Mutex<Option<Usage>>>,
}

impl ReadAhead {
    pub fn start(mut backend: Box<dyn Backend + Send>) -> ReadAhead {
        let (prompts, todo) = channel::<Vec<Message>>();
        let spent = Arc::new(Mutex::new(None));
        let counted = spent.clone();
        std::thread::spawn(move || {
            while let Ok(mut messages) = todo.recv() {
                let read = loop {
                    // A due line goes first; a read it set aside is read again after it.
                    while super::line_due() {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    // Only the newest matters: a prompt it extends would be read for nothing.
                    while let Ok(newer) = todo.try_recv() {
                        messages = newer;
                    }
                    match backend.read_ahead(&messages) {
                        Err(super::LlmError::Yielded) => continue,
                        read => break read,
                    }
                };
                // A failure costs nothing but the head start; the line reports its own.
                if let Ok(Some(u)) = read
                    && let Ok(mut total) = counted.lock()
                {
                    let t = total.get_or_insert_with(Usage::default);
                    t.prompt_tokens += u.prompt_tokens;
                    t.completion_tokens += u.completion_tokens;
                }
            }
        });
        ReadAhead { prompts, spent }
    }

    /// The tokens the reads have used since this was last asked, if any.
    pub fn spent(&self) -> Option<Usage> {
        self.spent.lock().ok()?.take()
    }

    pub fn read(&self, messages: Vec<Message>) {
        let _ = self.prompts.send(messages);
    }
}
