//! Speaking while the model is still writing: the line is cut into sentences as it streams, each
//! sentence is synthesised on one thread while the one before plays on another, and the talk key
//! stops playback at once. What was actually played is kept, so the log holds only what the
//! candidate heard.

use super::audio::{Clip, RATE};
use super::tts::Synth;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Somewhere to play audio. `play` blocks until the clip ends or `stopped()` turns true, checking
/// often enough that a stop is heard at once, and returns the seconds played.
pub trait Player: Send {
    fn play(&mut self, clip: &Clip, stopped: &dyn Fn() -> bool) -> f64;
}

/// No speaker: lines are printed only, and count as heard.
pub struct Mute;

impl Player for Mute {
    fn play(&mut self, clip: &Clip, _: &dyn Fn() -> bool) -> f64 {
        clip.seconds()
    }
}

/// Every clip's length and the seconds of it played.
pub type Played = Arc<Mutex<Vec<(f64, f64)>>>;

/// Plays in real time without a device, `speed` times faster: the test and benchmark speaker.
pub struct Paced {
    pub speed: f64,
    pub played: Played,
}

impl Player for Paced {
    fn play(&mut self, clip: &Clip, stopped: &dyn Fn() -> bool) -> f64 {
        let length = clip.seconds();
        let start = Instant::now();
        let played = loop {
            let t = start.elapsed().as_secs_f64() * self.speed;
            if t >= length {
                break length;
            }
            if stopped() {
                break t;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        self.played.lock().unwrap().push((length, played));
        played
    }
}

/// News from the speaker, for the driver.
#[derive(Debug, Clone, PartialEq)]
pub enum Playback {
    /// The first sound of a reply played.
    Started { reply: u64, at: Instant },
    /// Everything queued for the reply has played.
    Drained { reply: u64 },
    /// Speech failed; said once, and the interview goes on in text.
    Failed(String),
}

enum Job {
    Say { reply: u64, text: String },
    Flush { reply: u64 },
}

enum Play {
    Clip {
        reply: u64,
        text: String,
        clip: Clip,
    },
    Flush {
        reply: u64,
    },
}

/// What was played of each reply, kept for the log.
#[derive(Default)]
struct Record {
    /// The reply being played, if any, and what of it has been heard so far.
    spoken: Vec<(u64, String)>,
    busy: bool,
    started: Option<u64>,
}

/// The two-thread speaking pipeline.
pub struct Speech {
    jobs: Sender<Job>,
    /// The reply now being spoken; bumping it silences everything older.
    current: Arc<AtomicU64>,
    record: Arc<Mutex<Record>>,
}

impl Speech {
    pub fn new(
        mut synth: Box<dyn Synth>,
        mut player: Box<dyn Player>,
        news: Sender<Playback>,
    ) -> Speech {
        let (jobs, job_rx) = channel::<Job>();
        let (plays, play_rx): (Sender<Play>, Receiver<Play>) = channel();
        let current = Arc::new(AtomicU64::new(0));
        let record = Arc::new(Mutex::new(Record::default()));
        let synth_news = news.clone();
        let cur = current.clone();
        std::thread::spawn(move || {
            let mut warned = false;
            for job in job_rx {
                match job {
                    Job::Say { reply, text } => {
                        if reply != cur.load(Ordering::SeqCst) {
                            continue;
                        }
                        match synth
                            .wav(&text)
                            .and_then(|w| super::audio::decode_bytes(&w))
                        {
                            Ok(clip) => {
                                let _ = plays.send(Play::Clip { reply, text, clip });
                            }
                            Err(e) => {
                                if !warned {
                                    warned = true;
                                    let _ = synth_news.send(Playback::Failed(format!("{e:#}")));
                                }
                                // Unspoken but shown: the candidate read it.
                                let _ = plays.send(Play::Clip {
                                    reply,
                                    text,
                                    clip: Clip {
                                        samples: Vec::new(),
                                    },
                                });
                            }
                        }
                    }
                    Job::Flush { reply } => {
                        let _ = plays.send(Play::Flush { reply });
                    }
                }
            }
        });
        let cur = current.clone();
        let rec = record.clone();
        std::thread::spawn(move || {
            for play in play_rx {
                match play {
                    Play::Clip { reply, text, clip } => {
                        if reply != cur.load(Ordering::SeqCst) {
                            continue;
                        }
                        {
                            let mut r = rec.lock().unwrap();
                            r.busy = true;
                            if r.started != Some(reply) && !clip.samples.is_empty() {
                                r.started = Some(reply);
                                let _ = news.send(Playback::Started {
                                    reply,
                                    at: Instant::now(),
                                });
                            }
                        }
                        let stopped = || cur.load(Ordering::SeqCst) != reply;
                        let played = if clip.samples.is_empty() {
                            0.0
                        } else {
                            player.play(&clip, &stopped)
                        };
                        let mut r = rec.lock().unwrap();
                        let heard = if clip.samples.is_empty() || played >= clip.seconds() - 0.01 {
                            text
                        } else {
                            cut(&text, played / clip.seconds())
                        };
                        if !heard.is_empty() {
                            r.spoken.push((reply, heard));
                        }
                        r.busy = false;
                    }
                    Play::Flush { reply } => {
                        if reply == cur.load(Ordering::SeqCst) {
                            let _ = news.send(Playback::Drained { reply });
                        }
                    }
                }
            }
        });
        Speech {
            jobs,
            current,
            record,
        }
    }

    /// A new reply begins; returns its number.
    pub fn begin(&self) -> u64 {
        let reply = self.current.fetch_add(1, Ordering::SeqCst) + 1;
        self.record
            .lock()
            .unwrap()
            .spoken
            .retain(|(r, _)| *r >= reply);
        reply
    }

    pub fn say(&self, reply: u64, sentence: String) {
        let _ = self.jobs.send(Job::Say {
            reply,
            text: sentence,
        });
    }

    /// No more sentences for this reply: `Drained` follows once they have all played.
    pub fn flush(&self, reply: u64) {
        let _ = self.jobs.send(Job::Flush { reply });
    }

    /// Barge-in: silence the reply now and return what of it was heard. Waits (briefly) for the
    /// player to let go, so the answer is exact.
    pub fn stop(&self, reply: u64) -> String {
        self.current.fetch_max(reply + 1, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_millis(300);
        while self.record.lock().unwrap().busy && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.spoken(reply)
    }

    /// What of a reply has been heard so far.
    pub fn spoken(&self, reply: u64) -> String {
        let r = self.record.lock().unwrap();
        r.spoken
            .iter()
            .filter(|(n, _)| *n == reply)
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The words of a sentence heard before playback stopped at `fraction` of it, marked as cut.
pub fn cut(sentence: &str, fraction: f64) -> String {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let n = ((words.len() as f64) * fraction.clamp(0.0, 1.0)).floor() as usize;
    if n == 0 {
        return String::new();
    }
    format!("{} —", words[..n].join(" "))
}

/// A clip of `seconds` of quiet tone, for tests and benchmarks of the pipeline.
pub fn tone(seconds: f64) -> Clip {
    Clip {
        samples: (0..(seconds * RATE as f64) as usize)
            .map(|i| (i as f32 * 0.06).sin() * 0.2)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_sentence_keeps_the_words_heard() {
        assert_eq!(
            cut("How would you label fraud cases here", 0.5),
            "How would you —"
        );
        assert_eq!(cut("Short", 0.3), "");
    }

    struct Instant_;
    impl Synth for Instant_ {
        fn wav(&mut self, text: &str) -> anyhow::Result<Vec<u8>> {
            if text.contains("FAIL") {
                anyhow::bail!("synth broke");
            }
            // A tenth of a second per word.
            tone(0.1 * text.split_whitespace().count() as f64).wav()
        }
    }

    fn pipeline(speed: f64) -> (Speech, Receiver<Playback>, Played) {
        let played = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = channel();
        let player = Paced {
            speed,
            played: played.clone(),
        };
        (
            Speech::new(Box::new(Instant_), Box::new(player), tx),
            rx,
            played,
        )
    }

    fn wait_for(rx: &Receiver<Playback>, want: impl Fn(&Playback) -> bool) -> Playback {
        loop {
            let h = rx
                .recv_timeout(Duration::from_secs(5))
                .expect("no news from the speaker");
            if want(&h) {
                return h;
            }
        }
    }

    #[test]
    fn every_sentence_plays_in_order_and_the_reply_drains() {
        let (speech, rx, played) = pipeline(20.0);
        let reply = speech.begin();
        speech.say(reply, "One two three.".into());
        speech.say(reply, "Four five.".into());
        speech.flush(reply);
        assert!(matches!(wait_for(&rx, |_| true), Playback::Started { .. }));
        wait_for(&rx, |h| matches!(h, Playback::Drained { .. }));
        assert_eq!(speech.spoken(reply), "One two three. Four five.");
        let p = played.lock().unwrap();
        assert_eq!(p.len(), 2);
        assert!(p.iter().all(|(len, got)| got >= len));
    }

    #[test]
    fn barge_in_stops_playback_at_once_and_keeps_only_what_was_heard() {
        // Real time: the first sentence lasts 1.2 s.
        let (speech, rx, played) = pipeline(1.0);
        let reply = speech.begin();
        speech.say(
            reply,
            "Tell me how you would label the fraud cases here please.".into(),
        );
        speech.say(reply, "And the second sentence is never heard.".into());
        speech.flush(reply);
        wait_for(&rx, |h| matches!(h, Playback::Started { .. }));
        std::thread::sleep(Duration::from_millis(500));
        let asked = Instant::now();
        let heard = speech.stop(reply);
        let took = asked.elapsed();
        assert!(took < Duration::from_millis(100), "stop took {took:?}");
        assert!(
            heard.starts_with("Tell me how") && heard.ends_with('—'),
            "{heard}"
        );
        assert!(
            !heard.contains("label the fraud cases here please"),
            "{heard}"
        );
        std::thread::sleep(Duration::from_millis(100));
        let p = played.lock().unwrap();
        assert_eq!(p.len(), 1, "the second sentence must not play");
        assert!(p[0].1 < 0.8 && p[0].1 > 0.3, "{:?}", p[0]);
        drop(p);
        // Nothing drains for a reply that was cut.
        assert!(
            rx.try_iter()
                .all(|h| !matches!(h, Playback::Drained { .. }))
        );
        // The next reply plays normally.
        let next = speech.begin();
        speech.say(next, "Go on.".into());
        speech.flush(next);
        wait_for(&rx, |h| *h == Playback::Drained { reply: next });
        assert_eq!(speech.spoken(next), "Go on.");
    }

    #[test]
    fn a_synthesis_failure_is_reported_once_and_the_text_still_counts() {
        let (speech, rx, _) = pipeline(50.0);
        let reply = speech.begin();
        speech.say(reply, "FAIL one.".into());
        speech.say(reply, "FAIL two.".into());
        speech.flush(reply);
        let mut failures = 0;
        loop {
            match rx.recv_timeout(Duration::from_secs(5)).unwrap() {
                Playback::Failed(m) => {
                    assert!(m.contains("synth broke"));
                    failures += 1;
                }
                Playback::Drained { .. } => break,
                Playback::Started { .. } => panic!("nothing was audible"),
            }
        }
        assert_eq!(failures, 1);
        assert_eq!(speech.spoken(reply), "FAIL one. FAIL two.");
    }
}
