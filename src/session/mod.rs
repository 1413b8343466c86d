//! A session: the interview and its log, and the one door through which anything happens to
//! it. `Session::record` writes an event to the log, then applies it to the interview, so the
//! log always holds at least what the state knows. Chat, voice and simulate change state only
//! through it; replay (`replay.rs`) applies the same events with the same reducer.

mod log;
pub mod progress;
mod replay;
pub mod store;

pub use crate::interview::Event;
pub use log::{Loaded, Lock, Log, SCHEMA, parse, read, scenario_of};
pub use progress::{spark, stage_averages, timings, weakest_stage};
pub use replay::{Replayed, load, replay, rescored, started_info};
pub use store::{Summary, find, id_of, list, phase_label, rfc3339};

use crate::interview::coverage::Hit;
use crate::interview::director::{self, Request};
use crate::interview::{Action, Interview, Observation, Role, Source};
use crate::reader::{Lexical, Reader};
use anyhow::Result;
use std::sync::Arc;

/// The events that log a reading: the reading, then each credit it earns.
pub fn reading_events(iv: &Interview, obs: &Observation) -> Vec<Event> {
    let mut events = vec![Event::Reading {
        turn: obs.turn,
        reading: obs.reading(&iv.scenario),
    }];
    events.extend(obs.credits(&iv.scenario));
    events
}

/// Whether `reply` takes up the follow-up pending in `iv` (its interviewer's last line), as
/// `reader` judges it; false when no follow-up is pending.
pub(crate) fn takes_up_follow_up(iv: &Interview, reader: &dyn Reader, reply: &str) -> Result<bool> {
    let asked = iv.turns.iter().rev().find(|t| t.role == Role::Interviewer);
    match (iv.pending_probe, asked) {
        (Some(_), Some(line)) => crate::reader::addresses(reader, &line.text, reply),
        _ => Ok(false),
    }
}

/// How the model judge's second opinion went.
#[derive(Debug)]
pub enum Judged {
    /// Recorded; the tokens the request used, to count.
    Done(Option<crate::llm::Usage>),
    /// The judge could not be asked or did not answer usably; why.
    Unavailable(String),
}

pub struct Session {
    iv: Interview,
    log: Log,
    reader: Arc<dyn Reader>,
    /// What the user should be told about the reading, not yet shown.
    notices: Vec<String>,
}

impl Session {
    /// A session read by the lexical reader; `set_reader` gives it another.
    pub fn new(iv: Interview, log: Log) -> Session {
        Session {
            iv,
            log,
            reader: Arc::new(Lexical),
            notices: Vec::new(),
        }
    }

    /// Read the turns from now on with `reader`.
    pub fn set_reader(&mut self, reader: Arc<dyn Reader>) {
        self.reader = reader;
    }

    /// The name of the reader that reads the next turn.
    pub fn reader(&self) -> String {
        self.reader.name()
    }

    /// Notices about the reading since the last call: a reader that failed and was replaced,
    /// a turn too long to read whole.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// A session kept in memory, for tests and assessments.
    pub fn memory(iv: Interview) -> Session {
        Session::new(iv, Log::memory("<memory>"))
    }

    pub fn interview(&self) -> &Interview {
        &self.iv
    }

    pub fn log(&self) -> &Log {
        &self.log
    }

    pub fn into_interview(self) -> Interview {
        self.iv
    }

    /// The one door: log the event, then apply it. An event that cannot be written is not
    /// applied, so the state never runs ahead of the log.
    pub fn record(&mut self, event: Event) -> Result<()> {
        self.log.append(&event)?;
        self.iv.apply(&event);
        Ok(())
    }

    /// The opening actions of a fresh interview, recorded.
    pub fn open(&mut self) -> Result<Vec<Action>> {
        let actions = self.iv.opening();
        self.act(&actions)?;
        Ok(actions)
    }

    /// A candidate turn ending at `at`: recorded, then read, its reading recorded.
    pub fn candidate(&mut self, text: &str, at: f64) -> Result<Observation> {
        let n = self.iv.next_turn();
        self.record(Event::Turn {
            n,
            role: Role::Candidate,
            text: text.to_string(),
            at,
            phase: self.iv.phase,
        })?;
        self.read(n, text)
    }

    /// Read turn `n` (already recorded) and record the reading, then its credits.
    pub fn read(&mut self, n: usize, text: &str) -> Result<Observation> {
        let obs = self.reading_of(n, text)?;
        for e in reading_events(&self.iv, &obs) {
            self.record(e)?;
        }
        Ok(obs)
    }

    /// What turn `n` shows, read now and recorded by no one. A reader that fails gives way to
    /// the lexical one for the rest of the session, with a notice: a turn is never lost to a
    /// broken model.
    pub fn reading_of(&mut self, n: usize, text: &str) -> Result<Observation> {
        let analysis = match self.reader.analyse(&self.iv.scenario, text) {
            Ok(a) => a,
            Err(e) => {
                self.notices
                    .push(crate::reader::fallback_notice(&format!("{e:#}")));
                self.reader = Arc::new(Lexical);
                self.reader.analyse(&self.iv.scenario, text)?
            }
        };
        if analysis.truncated {
            let max = crate::interview::coverage::MAX_WORDS;
            self.notices.push(format!(
                "note: that answer is over {max} words; only its first {max} were read"
            ));
        }
        let addresses = takes_up_follow_up(&self.iv, self.reader.as_ref(), text)
            .or_else(|_| takes_up_follow_up(&self.iv, &Lexical, text))
            .unwrap_or(false);
        Ok(self.iv.observe(n, analysis, &self.reader.name(), addresses))
    }

    /// The model judge's second opinion on a read turn, asked now and recorded (assessments;
    /// a live chat asks off the turn, `chat/judge.rs`, and records with `take_verdict`). A judge
    /// that fails costs the turn nothing: the reader's reading stands, and the failure comes
    /// back to be told.
    pub fn second_opinion(
        &mut self,
        judge: &mut dyn crate::llm::Backend,
        obs: &mut Observation,
        text: &str,
    ) -> Result<Judged> {
        let this_turn = obs.checkpoints_read();
        match crate::llm::judge::judge(judge, &self.iv, text, &this_turn) {
            Ok(v) => Ok(Judged::Done(self.take_verdict(obs.turn, v, Some(obs))?)),
            Err(e) => Ok(Judged::Unavailable(e.to_string())),
        }
    }

    /// A judge's verdict on candidate turn `turn`, recorded: its claims that the candidate's
    /// words bear out and the reader does not contradict earn credit; with both judges, the
    /// reader's credits it disputes are taken back. `obs`, when the turn's observation is still
    /// in hand, learns of the new credits too. Returns the tokens the judge used, to count.
    pub fn take_verdict(
        &mut self,
        turn: usize,
        verdict: crate::llm::judge::Verdict,
        mut obs: Option<&mut Observation>,
    ) -> Result<Option<crate::llm::Usage>> {
        let mut contradicted = 0;
        for claim in &verdict.accepted {
            let sc = &self.iv.scenario;
            // The reader has the last word against a claim it reads the other way: a
            // dismissal, a question for a design checkpoint, a sentence that shows nothing.
            if self
                .reader
                .contradicts(sc, &claim.quote, claim.checkpoint)
                .unwrap_or(false)
            {
                contradicted += 1;
                continue;
            }
            let first = !self.iv.covered(claim.checkpoint);
            let named = crate::interview::coverage::only_names(&claim.quote);
            self.record(Event::Coverage {
                turn,
                checkpoint: sc.checkpoints[claim.checkpoint].id.clone(),
                quote: claim.quote.clone(),
                source: Source::Model,
                named,
            })?;
            if first && let Some(obs) = obs.as_deref_mut() {
                obs.new.push(Hit {
                    checkpoint: claim.checkpoint,
                    quote: claim.quote.clone(),
                    focus: 0..claim.quote.len(),
                    source: Source::Model,
                    named,
                });
            }
        }
        // With both judges, the model may also take back a credit the reader gave.
        let retract: Vec<usize> = if self.iv.reader_credits {
            verdict.rejected.clone()
        } else {
            Vec::new()
        };
        for &c in &retract {
            let checkpoint = self.iv.scenario.checkpoints[c].id.clone();
            self.record(Event::Retracted { turn, checkpoint })?;
            if let Some(obs) = obs.as_deref_mut() {
                obs.new
                    .retain(|h| h.checkpoint != c || h.source == Source::Model);
            }
        }
        self.record(Event::Judge {
            turn,
            accepted: verdict.accepted.len() - contradicted,
            dropped: verdict.dropped,
            retracted: retract.len(),
            contradicted,
        })?;
        Ok(verdict.usage)
    }

    /// The director's answer to a read turn, recorded.
    pub fn react(&mut self, obs: &Observation) -> Result<Vec<Action>> {
        let actions = director::decide(&self.iv, obs);
        self.act(&actions)?;
        Ok(actions)
    }

    /// A candidate turn read and answered, with no second judge: what tests and assessments use.
    pub fn answer(&mut self, text: &str, at: f64) -> Result<(Observation, Vec<Action>)> {
        let obs = self.candidate(text, at)?;
        let actions = self.react(&obs)?;
        Ok((obs, actions))
    }

    /// A command the candidate typed (`/hint`, `/skip`, `/end`), decided and recorded.
    pub fn request(&mut self, request: Request) -> Result<Vec<Action>> {
        let actions = director::on_request(&self.iv, request);
        self.act(&actions)?;
        Ok(actions)
    }

    /// An interviewer line ending at `at`, recorded; returns its turn number.
    pub fn interviewer(&mut self, text: &str, at: f64) -> Result<usize> {
        let n = self.iv.next_turn();
        self.record(Event::Turn {
            n,
            role: Role::Interviewer,
            text: text.to_string(),
            at,
            phase: self.iv.phase,
        })?;
        Ok(n)
    }

    /// Record actions, each followed by the phase change it made, if any.
    pub fn act(&mut self, actions: &[Action]) -> Result<()> {
        let at = self.iv.now;
        for a in actions {
            let from = self.iv.phase;
            self.record(Event::Action {
                at,
                action: a.clone(),
            })?;
            if self.iv.phase != from {
                self.record(Event::Stage {
                    from,
                    to: self.iv.phase,
                    at,
                })?;
            }
        }
        Ok(())
    }
}

/// Unit tests drive an interview through the same door as a live session, in memory.
#[cfg(test)]
pub(crate) mod testing {
    use super::Session;
    use crate::interview::director::Request;
    use crate::interview::{Action, Interview, Observation};

    fn with<T>(iv: &mut Interview, f: impl FnOnce(&mut Session) -> T) -> T {
        let mut s = Session::memory(iv.clone());
        let out = f(&mut s);
        *iv = s.into_interview();
        out
    }

    pub fn open(iv: &mut Interview) -> Vec<Action> {
        with(iv, |s| s.open().unwrap())
    }

    /// A candidate turn ending at `at`, read but not answered.
    pub fn observe(iv: &mut Interview, text: &str, at: f64) -> Observation {
        with(iv, |s| s.candidate(text, at).unwrap())
    }

    /// A candidate turn ending at `at`, read and answered.
    pub fn answer(iv: &mut Interview, text: &str, at: f64) -> (Observation, Vec<Action>) {
        with(iv, |s| s.answer(text, at).unwrap())
    }

    pub fn request(iv: &mut Interview, request: Request) -> Vec<Action> {
        with(iv, |s| s.request(request).unwrap())
    }

    pub fn record(iv: &mut Interview, event: crate::interview::Event) {
        with(iv, |s| s.record(event).unwrap())
    }

    /// An action decided at `at` (the clock moves there first, as a live turn would have).
    pub fn act(iv: &mut Interview, action: &Action, at: f64) {
        with(iv, |s| {
            s.record(crate::interview::Event::Action {
                at,
                action: action.clone(),
            })
            .unwrap()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::{Mode, Phase, Reason};
    use crate::scenario;
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    fn sample(dir: &Path) -> PathBuf {
        let sc = scenario::load("fraud").unwrap();
        let mut log = Log::create(dir, "fraud").unwrap();
        let start = Event::Started {
            scenario: "fraud".into(),
            locator: "fraud".into(),
            hash: sc.hash.clone(),
            title: sc.title.clone(),
            minutes: 60,
            mode: Mode::Interview,
            interviewer: "scripted".into(),
            time: "2026-11-27T00:00:00Z".into(),
            focus: None,
            judge: None,
        };
        log.append(&start).unwrap();
        let open = Action::AdvanceStage {
            from: None,
            to: crate::framework::Stage::Clarify,
            reason: Reason::Start,
        };
        log.append(&Event::Action {
            at: 0.0,
            action: open,
        })
        .unwrap();
        log.append(&Event::Turn {
            n: 1,
            role: Role::Interviewer,
            text: "Hi".into(),
            at: 1.0,
            phase: Phase::Stage(crate::framework::Stage::Clarify),
        })
        .unwrap();
        log.append(&Event::Turn {
            n: 2,
            role: Role::Candidate,
            text: "What is the business goal and how do we measure success?".into(),
            at: 9.0,
            phase: Phase::Stage(crate::framework::Stage::Clarify),
        })
        .unwrap();
        log.path
    }

    #[test]
    fn replay_rebuilds_state_and_finds_the_unanswered_turn() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let loaded = read(&path).unwrap();
        assert_eq!(loaded.partial_line, None);
        let r = replay(
            &loaded,
            Arc::new(scenario::load("fraud").unwrap()),
            &Lexical,
        )
        .unwrap();
        assert_eq!(r.interview.turns.len(), 2);
        assert_eq!(
            r.interview.phase,
            Phase::Stage(crate::framework::Stage::Clarify)
        );
        let cp = r
            .interview
            .scenario
            .checkpoint_index("clarify.business-objective")
            .unwrap();
        assert!(r.interview.covered(cp));
        assert_eq!(r.unanswered.map(|o| o.turn), Some(2));
    }

    #[test]
    fn a_session_has_one_writer_and_a_dead_ones_lock_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let log = Log::create(dir.path(), "fraud").unwrap();
        let err = Lock::take(&log.path)
            .err()
            .expect("a second writer was let in");
        let msg = err.to_string();
        assert!(msg.contains("open in another casecoach"), "{msg}");
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        let path = log.path.clone();
        drop(log);
        // What a killed process leaves: its pid beside the file, but no lock.
        let pid_file = dir.path().join(format!(
            ".{}.lock",
            path.file_name().unwrap().to_string_lossy()
        ));
        assert!(!pid_file.exists(), "a closed log leaves no pid file");
        std::fs::write(&pid_file, "999999\n").unwrap();
        let (_lock, stale) = Lock::take(&path).unwrap();
        assert_eq!(stale, Some(999_999));
    }

    #[test]
    fn a_cut_last_line_is_dropped_and_repaired_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let whole = std::fs::metadata(&path).unwrap().len();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(br#"{"v":1,"type":"turn","n":3,"role":"cand"#)
            .unwrap();
        drop(f);
        let loaded = read(&path).unwrap();
        assert_eq!(loaded.partial_line, Some(5));
        assert_eq!(loaded.events.len(), 4);
        assert_eq!(loaded.good_len, whole);
        let (lock, stale) = Lock::take(&path).unwrap();
        assert_eq!(stale, None, "the writer that made the sample closed it");
        let mut log = Log::reopen(&path, &loaded, lock).unwrap();
        log.append(&Event::Note {
            text: "n".into(),
            at: 2.0,
        })
        .unwrap();
        let again = read(&path).unwrap();
        assert_eq!((again.events.len(), again.partial_line), (5, None));
    }

    #[test]
    fn damaged_lines_are_skipped_and_kept_and_a_newer_log_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let whole = read(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap().replacen(
            "\"type\":\"action\"",
            "\"type\":\"bogus\"",
            1,
        );
        let damaged = format!("{text}garbage one\n\u{1b}[2Jgarbage two\n");
        std::fs::write(&path, &damaged).unwrap();
        let loaded = read(&path).unwrap();
        assert_eq!(loaded.skipped, vec![2, 5, 6]);
        assert_eq!(loaded.events.len(), whole.events.len() - 1);
        assert_eq!(loaded.good_len, damaged.len() as u64, "nothing is cut off");
        let note = loaded.damage(&path).unwrap();
        assert!(
            note.contains("3 line(s)") && note.contains("line 2, 5, 6"),
            "{note}"
        );

        let newer = text.replacen("{\"v\":2,", "{\"v\":3,", 1);
        assert_ne!(newer, text);
        std::fs::write(&path, newer).unwrap();
        let e = format!("{:#}", read(&path).unwrap_err());
        assert!(e.contains("written by a newer casecoach"), "{e}");
        std::fs::write(&path, b"hello\n").unwrap();
        assert!(read(&path).is_err(), "a file of no events is not a session");
    }

    #[test]
    fn find_by_part_of_the_name_or_the_newest_unfinished() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(find(dir.path(), Some(&id[..8])).unwrap(), path);
        assert_eq!(find(dir.path(), None).unwrap(), path);
        assert!(find(dir.path(), Some("nothing-like-it")).is_err());
    }

    /// A reader whose model broke after it started.
    struct Broken;

    impl Reader for Broken {
        fn analyse(
            &self,
            _: &crate::scenario::Scenario,
            _: &str,
        ) -> Result<crate::interview::coverage::Analysis> {
            anyhow::bail!("the embedding model failed on this input")
        }
        fn name(&self) -> String {
            "semantic (broken)".into()
        }
        fn relatedness(&self, _: &str, _: &str) -> Result<f32> {
            anyhow::bail!("the embedding model failed on this input")
        }
        fn addresses_at(&self) -> f32 {
            0.5
        }
    }

    #[test]
    fn a_reader_that_fails_gives_way_to_the_lexical_one_and_the_turn_is_kept() {
        let sc = Arc::new(scenario::load("fraud").unwrap());
        let mut s = Session::memory(Interview::new(sc, Mode::Interview, 60));
        s.set_reader(Arc::new(Broken));
        s.open().unwrap();
        let obs = s
            .candidate("I'd start with a logistic regression baseline.", 10.0)
            .unwrap();
        assert_eq!(obs.reader, "lexical");
        assert_eq!(obs.analysis.hits.len(), 1);
        assert_eq!(s.reader(), "lexical");
        let notices = s.take_notices();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].contains("the embedding model failed"),
            "{notices:?}"
        );
        assert!(notices[0].contains("casecoach setup"), "{notices:?}");
        assert!(s.take_notices().is_empty(), "said once");
        let logged =
            s.log().events().iter().any(
                |e| matches!(e, Event::Reading { reading, .. } if reading.reader == "lexical"),
            );
        assert!(logged);
    }

    /// A session whose interviewer has just asked the Data stage's first follow-up.
    fn probed() -> Session {
        let sc = Arc::new(scenario::load("fraud").unwrap());
        let mut s = Session::memory(Interview::new(sc, Mode::Interview, 60));
        s.open().unwrap();
        s.act(&[Action::Probe {
            stage: crate::framework::Stage::Data,
            index: 0,
            curveball: false,
            press: false,
            quote: None,
        }])
        .unwrap();
        s.interviewer(
            "Fair enough. Chargebacks can take up to 90 days. What does that delay do to your training data?",
            20.0,
        )
        .unwrap();
        s
    }

    #[test]
    fn a_follow_up_is_answered_by_taking_it_up_not_by_length() {
        let answered = |reply: &str| {
            let mut s = probed();
            let obs = s.candidate(reply, 40.0).unwrap();
            let tally = s
                .interview()
                .follow_up_tally(Some(crate::framework::Stage::Data));
            assert_eq!(tally.answered, usize::from(obs.answers_probe));
            obs.answers_probe
        };
        assert!(answered(
            "That delay means the most recent weeks look cleaner than they are, so I'd only train on transactions old enough to have matured."
        ));
        // A prepared paragraph about something else, however long, does not answer it.
        assert!(!answered(
            "For the model I would start with a logistic regression on a handful of features and then move to gradient boosted trees, tuned with a random search over depth and learning rate."
        ));
        assert!(!answered("Sure, sounds good."));
        // Nor does the next prepared point of the same stage: the question was about the delay.
        assert!(!answered(
            "The data is heavily imbalanced, with only about 0.15 percent of transactions being fraud, so I would use class weights and keep the natural rate in validation."
        ));
        // Nor a list of the stage's terms that happens to share the question's words.
        assert!(!answered(
            "Training data, delay, labels, chargebacks, delayed labels."
        ));
    }

    /// A fraud interview moved on to the data stage.
    fn in_data_stage() -> Session {
        let sc = Arc::new(scenario::load("fraud").unwrap());
        let mut s = Session::memory(Interview::new(sc, Mode::Interview, 60));
        s.open().unwrap();
        s.act(&[Action::AdvanceStage {
            from: Some(crate::framework::Stage::Clarify),
            to: crate::framework::Stage::Data,
            reason: crate::interview::Reason::Candidate,
        }])
        .unwrap();
        s
    }

    #[test]
    fn a_follow_up_the_reply_ignores_is_pressed_once_then_left() {
        use crate::framework::Stage;
        let mut s = in_data_stage();
        let probe = |press| Action::Probe {
            stage: Stage::Data,
            index: 0,
            curveball: false,
            press,
            quote: None,
        };
        s.act(&[probe(false)]).unwrap();
        let asked =
            "Chargebacks can take up to 90 days. What does that delay do to your training data?";
        s.interviewer(asked, 20.0).unwrap();
        let (obs, a) = s
            .answer(
                "For the model I would start with a logistic regression on a handful of features and then move to gradient boosted trees.",
                40.0,
            )
            .unwrap();
        assert!(obs.ignored_probe);
        assert_eq!(a, vec![probe(true)]);
        s.interviewer(
            &format!("Let me bring you back to my question: {asked}"),
            45.0,
        )
        .unwrap();
        // Answered when pressed: it counts, once.
        let (obs, a) = s
            .answer(
                "That delay means recent weeks look cleaner than they are, so I'd train only on transactions whose labels have matured.",
                70.0,
            )
            .unwrap();
        assert!(obs.answers_probe);
        assert!(!a.contains(&probe(true)), "{a:?}");
        // The press is the same follow-up, not a new one.
        let new = a
            .iter()
            .filter(|x| matches!(x, Action::Probe { press: false, .. }))
            .count();
        let tally = s.interview().follow_up_tally(Some(Stage::Data));
        assert_eq!((tally.asked, tally.answered), (1 + new, 1));
    }

    #[test]
    fn a_press_ignored_too_is_not_pressed_again() {
        use crate::framework::Stage;
        let mut s = in_data_stage();
        s.act(&[Action::Probe {
            stage: Stage::Data,
            index: 0,
            curveball: false,
            press: true,
            quote: None,
        }])
        .unwrap();
        s.interviewer(
            "Let me bring you back to my question: chargebacks can take up to 90 days. What does that delay do to your training data?",
            20.0,
        )
        .unwrap();
        let (obs, a) = s
            .answer(
                "I'd deploy it behind an API with autoscaling on Kubernetes.",
                40.0,
            )
            .unwrap();
        assert!(obs.ignored_probe);
        assert!(
            !a.iter()
                .any(|x| matches!(x, Action::Probe { press: true, .. })),
            "{a:?}"
        );
    }
}
