//! The live driver's two workers, each on a thread of its own so the keys stay live: the
//! interview (`Chat`), which waits on the model, and the recogniser, which waits on speech to
//! text. The driver owns the terminal; the workers only send it messages.

use super::audio::Clip;
use super::hearing::{self, Heard, Primer};
use super::live::Transcriber;
use crate::chat::Settings;
use crate::chat::{Chat, LineNews, Next};
use crate::interview::VoiceNote;
use anyhow::Result;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

/// To the interview thread.
pub(super) enum ToChat {
    Answer {
        text: String,
        /// The recording's numbers, and where it was kept (if it was).
        note: Option<(VoiceNote, String)>,
    },
    Spoken {
        turn: usize,
        heard: String,
    },
    Latency {
        transcript_ms: u64,
        first_token_ms: Option<u64>,
        first_audio_ms: Option<u64>,
    },
    /// The words of the answer still being spoken, as far as its pieces have been heard.
    SoFar(String),
    Quit,
}

/// From the interview thread.
pub(super) enum FromChat {
    Output(String),
    Piece(String),
    /// The interviewer's line is logged as this turn.
    LineEnd(usize),
    /// The scenario's terms, sent once at the start.
    Vocabulary(Vec<String>),
    /// The interview is done with the last answer.
    Reply {
        ended: bool,
    },
    Closed {
        session: String,
        ended: bool,
    },
    Failed(String),
}

/// The interview, running on its worker thread.
pub(super) struct ChatWorker {
    tx: Sender<ToChat>,
    rx: Receiver<FromChat>,
    /// The interview has closed its log, or failed: nothing more will come.
    pub closed: bool,
}

impl ChatWorker {
    /// Start the interview: a new session, or the one `resume` names (the latest when None inside).
    pub fn spawn(settings: &Settings, resume: Option<Option<String>>) -> ChatWorker {
        let (tx, chat_rx) = channel();
        let (chat_tx, rx) = channel();
        let s = settings.clone();
        std::thread::spawn(move || interview(s, resume, chat_tx, chat_rx));
        ChatWorker {
            tx,
            rx,
            closed: false,
        }
    }

    /// A thread that has gone is seen on the receiving side, so sending does not report it.
    pub fn send(&self, msg: ToChat) {
        let _ = self.tx.send(msg);
    }

    pub fn try_recv(&self) -> Result<FromChat, TryRecvError> {
        self.rx.try_recv()
    }

    pub fn recv_timeout(&self, timeout: Duration) -> Result<FromChat, RecvTimeoutError> {
        self.rx.recv_timeout(timeout)
    }
}

/// Interview output, sent to the driver to print (it owns the terminal).
struct ToDriver(Sender<FromChat>);

impl std::io::Write for ToDriver {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self
            .0
            .send(FromChat::Output(String::from_utf8_lossy(buf).into_owned()));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The interview, on its own thread: created there (a `Chat` need not be Send), fed answers,
/// and reporting its output and each reply's end.
fn interview(
    settings: Settings,
    resume: Option<Option<String>>,
    tx: Sender<FromChat>,
    rx: Receiver<ToChat>,
) {
    let run = || -> Result<(String, bool)> {
        let lines = tx.clone();
        let on_line: Box<dyn FnMut(LineNews)> = Box::new(move |news| {
            let _ = lines.send(match news {
                LineNews::Piece(p) => FromChat::Piece(p.to_string()),
                LineNews::Logged(turn) => FromChat::LineEnd(turn),
            });
        });
        let out = Box::new(ToDriver(tx.clone()));
        // The status line says "thinking" while the model is waited for.
        crate::llm::wait_shown_elsewhere();
        let mut chat = match &resume {
            Some(q) => Chat::resume_with(&settings, q.as_deref(), out, true, Some(on_line))?,
            None => {
                let mut chat = Chat::start_with(&settings, out, true)?;
                chat.on_line = Some(on_line);
                chat
            }
        };
        let _ = tx.send(FromChat::Vocabulary(chat.iv().scenario.vocabulary.clone()));
        let _ = tx.send(FromChat::Output(format!("{}\n", chat.header())));
        if resume.is_none() {
            chat.open()?;
        }
        let _ = tx.send(FromChat::Reply {
            ended: chat.ended(),
        });
        let mut answered = 0;
        for msg in rx {
            match msg {
                ToChat::Answer { text, note } => {
                    if chat.ended() {
                        continue;
                    }
                    let turn = chat.iv().next_turn();
                    if let Some((mut note, file)) = note
                        && !text.starts_with('/')
                    {
                        note.turn = turn;
                        chat.voice_note(&file, note)?;
                        answered = turn;
                    }
                    let leave = matches!(crate::chat::handle_line(&mut chat, &text)?, Next::Leave);
                    let _ = tx.send(FromChat::Reply {
                        ended: chat.ended() || leave,
                    });
                }
                ToChat::Spoken { turn, heard } => chat.spoken(turn, &heard)?,
                ToChat::SoFar(text) => {
                    if !chat.ended() {
                        chat.heard_so_far(&text);
                    }
                }
                ToChat::Latency {
                    transcript_ms,
                    first_token_ms,
                    first_audio_ms,
                } => {
                    if answered > 0 {
                        chat.latency(answered, transcript_ms, first_token_ms, first_audio_ms)?;
                    }
                }
                ToChat::Quit => break,
            }
        }
        Ok((chat.log().id(), chat.ended()))
    };
    match run() {
        Ok((session, ended)) => {
            let _ = tx.send(FromChat::Closed { session, ended });
        }
        Err(e) => {
            let _ = tx.send(FromChat::Failed(format!("{e:#}")));
        }
    }
}

/// What the recogniser made of one recording, and when it was done.
pub(super) type Transcript = (Result<Heard, String>, Instant);

/// How each piece of a long answer is primed: pieces are cut only from answers longer than
/// the terms prompt's limit (`segment`), which `Prompt::chosen` sends unprompted.
const PRIMER: Primer = Primer::Nothing;

/// Work for the recogniser, each about one recording (numbered by the driver).
enum Job {
    /// A finished piece of the answer still being spoken.
    Piece { recording: u64, clip: Clip },
    /// The recording is over: the whole of it, and the prompt it gets.
    Finish {
        recording: u64,
        whole: Clip,
        prompt: String,
    },
}

/// The pieces of the recording being spoken, as far as they have been heard.
#[derive(Default)]
struct Pieces {
    recording: u64,
    texts: Vec<String>,
    /// Samples of the recording they cover.
    samples: usize,
    /// One failed: the whole recording is sent at the end instead.
    failed: bool,
}

/// Speech to text, running on its worker thread: pieces while the candidate speaks, the rest
/// at the end.
pub(super) struct SttWorker {
    jobs: Sender<Job>,
    done: Receiver<Transcript>,
    /// Each recording's words so far, after each of its pieces.
    so_far: Receiver<(u64, String)>,
    /// The scenario's terms, for the recogniser's prompt.
    pub vocabulary: Vec<String>,
}

impl SttWorker {
    pub fn spawn(mut stt: Box<dyn Transcriber>) -> SttWorker {
        let (jobs, todo) = channel::<Job>();
        let (finished, done) = channel();
        let (heard, so_far) = channel();
        std::thread::spawn(move || {
            let mut pieces = Pieces::default();
            for job in todo {
                match job {
                    Job::Piece { recording, clip } => {
                        if pieces.recording != recording {
                            pieces = Pieces {
                                recording,
                                ..Pieces::default()
                            };
                        }
                        if pieces.failed {
                            continue;
                        }
                        pieces.samples += clip.samples.len();
                        let prompt = PRIMER.prompt(&pieces.texts);
                        match clip.wav().and_then(|wav| stt.transcribe(wav, &prompt)) {
                            Ok(text) => {
                                pieces.texts.push(text);
                                let _ = heard.send((recording, hearing::join(&pieces.texts)));
                            }
                            Err(_) => pieces.failed = true,
                        }
                    }
                    Job::Finish {
                        recording,
                        whole,
                        prompt,
                    } => {
                        let r = if pieces.recording == recording
                            && !pieces.failed
                            && !pieces.texts.is_empty()
                        {
                            hearing::stitch(
                                stt.as_mut(),
                                &pieces.texts,
                                &whole,
                                pieces.samples,
                                &prompt,
                                PRIMER,
                            )
                        } else {
                            hearing::transcribe(stt.as_mut(), &whole, &prompt)
                        };
                        pieces = Pieces::default();
                        if finished
                            .send((r.map_err(|e| format!("{e:#}")), Instant::now()))
                            .is_err()
                        {
                            break;
                        }
                    }
                }
            }
        });
        SttWorker {
            jobs,
            done,
            so_far,
            vocabulary: Vec::new(),
        }
    }

    /// A finished piece of recording number `recording`, heard while the rest is spoken.
    pub fn piece(&self, recording: u64, clip: Clip) {
        let _ = self.jobs.send(Job::Piece { recording, clip });
    }

    /// The whole of recording number `recording`: what its pieces did not cover is transcribed
    /// now, and the answer comes back from `try_recv`.
    pub fn transcribe(&self, recording: u64, whole: Clip, prompt: String) {
        let _ = self.jobs.send(Job::Finish {
            recording,
            whole,
            prompt,
        });
    }

    /// The newest words so far of recording number `recording`, if more were heard.
    pub fn so_far(&self, recording: u64) -> Option<String> {
        self.so_far
            .try_iter()
            .filter(|(r, _)| *r == recording)
            .last()
            .map(|(_, text)| text)
    }

    pub fn try_recv(&self) -> Option<Transcript> {
        self.done.try_recv().ok()
    }
}
