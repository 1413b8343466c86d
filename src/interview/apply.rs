//! The reducer: the one function that changes an interview's state. Live sessions call it for
//! each event right after the event is logged; replay calls it for each logged event. Nothing
//! here decides anything: decisions arrive inside the events.

use super::{
    Action, Dismissal, Event, Evidence, Interview, Misstep, Phase, Reason, Role, Source, Turn,
};

/// Evidence kept per checkpoint: the first turns that showed it.
const MAX_EVIDENCE: usize = 3;

impl Interview {
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::Turn {
                n,
                role,
                text,
                at,
                phase,
            } => {
                self.tick(*at);
                if *role == Role::Candidate
                    && let Phase::Stage(s) = phase
                {
                    self.stats[*s].candidate_turns += 1;
                }
                self.turns.push(Turn {
                    n: *n,
                    role: *role,
                    text: text.clone(),
                    at: *at,
                    phase: *phase,
                });
            }
            Event::Reading { turn, reading } => {
                self.injections += reading.injections;
                if !self.readers.contains(&reading.reader) {
                    self.readers.push(reading.reader.clone());
                }
                for d in &reading.dismissed {
                    if let Some(i) = self.scenario.checkpoint_index(&d.checkpoint)
                        && !self.dismissals.iter().any(|x| x.checkpoint == i)
                    {
                        self.dismissals.push(Dismissal {
                            checkpoint: i,
                            turn: *turn,
                            quote: d.quote.clone(),
                        });
                    }
                }
                if !reading.hits.is_empty() {
                    self.on_topic.push(*turn);
                }
                for m in &mut self.missteps {
                    if m.challenged.is_some_and(|c| c <= *turn) {
                        m.replied = true;
                    }
                }
                for stated in &reading.misconceptions {
                    let Some(i) = self.scenario.misconception_index(&stated.id) else {
                        continue;
                    };
                    match self.missteps.iter_mut().find(|m| m.misconception == i) {
                        Some(m) => {
                            if m.challenged.is_some_and(|c| c <= *turn) && m.held.is_none() {
                                m.held = Some((*turn, stated.quote.clone()));
                            }
                        }
                        None => self.missteps.push(Misstep {
                            misconception: i,
                            turn: *turn,
                            quote: stated.quote.clone(),
                            challenged: None,
                            replied: false,
                            held: None,
                        }),
                    }
                }
                // Any answer settles the pending follow-up, answered or not.
                if self.pending_probe.take().is_some()
                    && let Some(f) = self.follow_ups.last_mut()
                {
                    f.reply = Some(*turn);
                    f.answered |= reading.answers_probe;
                }
                self.dry_turns = if reading.dry { self.dry_turns + 1 } else { 0 };
            }
            Event::Coverage {
                turn,
                checkpoint,
                quote,
                source,
                named,
            } => {
                if let Some(i) = self.scenario.checkpoint_index(checkpoint) {
                    self.credit(i, *turn, quote, *source, *named);
                }
            }
            Event::Retracted { turn, checkpoint } => {
                if let Some(i) = self.scenario.checkpoint_index(checkpoint) {
                    self.evidence[i].retain(|e| e.turn != *turn || e.source == Source::Model);
                }
            }
            Event::Action { at, action } => self.act(action, *at),
            Event::Note { text, at } => {
                self.tick(*at);
                self.notes.push(text.clone());
            }
            Event::Judge {
                dropped,
                retracted,
                contradicted,
                ..
            } => {
                self.judge_dropped += dropped;
                self.judge_retracted += retracted;
                self.judge_contradicted += contradicted;
            }
            Event::Voice { note, .. } => self.voice_notes.push(note.clone()),
            Event::Code { at, run } => {
                self.tick(*at);
                self.code_runs.push(run.clone());
            }
            Event::Spoken { turn, text } => {
                // The transcript keeps what the candidate heard of a line they talked over.
                if let Some(t) = self.turns.get_mut(turn.wrapping_sub(1))
                    && t.role == Role::Interviewer
                {
                    t.text = text.clone();
                }
                if self.pending_probe.is_some() && *turn == self.turns.len() && !asks(text) {
                    self.unheard_follow_up(*turn);
                }
            }
            Event::Started { .. }
            | Event::Stage { .. }
            | Event::Latency { .. }
            | Event::Usage { .. }
            | Event::Guarded { .. }
            | Event::Resumed { .. }
            | Event::Ended { .. }
            | Event::Debrief { .. } => {}
        }
    }

    fn tick(&mut self, at: f64) {
        self.now = self.now.max(at);
    }

    /// Record evidence for a checkpoint, once per turn and judge, up to `MAX_EVIDENCE`.
    fn credit(&mut self, checkpoint: usize, turn: usize, quote: &str, source: Source, named: bool) {
        let ev = &mut self.evidence[checkpoint];
        let seen = ev.iter().any(|e| e.turn == turn && e.source == source);
        // The first explanation of a checkpoint only named so far is kept even when the list
        // is full: it is what the checkpoint's depth rests on.
        let deepens = !named && ev.iter().all(|e| e.named);
        if deepens && ev.len() >= MAX_EVIDENCE {
            ev.pop();
        }
        if ev.len() < MAX_EVIDENCE && !seen {
            ev.push(Evidence {
                turn,
                quote: quote.to_string(),
                source,
                named,
            });
        }
    }

    fn act(&mut self, action: &Action, at: f64) {
        self.tick(at);
        self.repeated_answers = match action {
            Action::AnswerFact { repeat: true, .. } => self.repeated_answers + 1,
            _ => 0,
        };
        match action {
            Action::AnswerAbout => self.closing_answers += 1,
            Action::AnswerFact { facts, .. } => {
                if self.phase == Phase::WrapUp {
                    self.closing_answers += 1;
                }
                for id in facts {
                    if let Some(i) = self.scenario.facts.iter().position(|f| f.id == *id) {
                        self.revealed[i] = true;
                    }
                }
            }
            Action::Probe {
                stage,
                index,
                curveball,
                press,
                ..
            } => {
                // A press is the same question again: not a new follow-up, but its answer is
                // due again.
                if !press {
                    let slot = if *curveball {
                        self.curveballs_fired.get_mut(*index)
                    } else {
                        self.probes_asked[*stage].get_mut(*index)
                    };
                    if let Some(s) = slot {
                        *s = true;
                    }
                    let about = match curveball {
                        true => (self.scenario.curveballs.get(*index)).map(|c| (None, &c.names)),
                        false => (self.scenario.stage(*stage).probes.get(*index))
                            .map(|p| (p.after, &p.names)),
                    }
                    .map(|(after, names)| self.asks_about(after, names, Some(*stage)))
                    .unwrap_or_default();
                    self.ask_follow_up(*stage, about);
                } else if let Some(f) = self.follow_ups.last_mut() {
                    f.pressed = true;
                }
                self.pending_probe = Some(*stage);
                self.last_probe = Some(super::LastProbe {
                    stage: *stage,
                    index: *index,
                    curveball: *curveball,
                    pressed: *press,
                });
            }
            Action::DeepDive {
                stage,
                checkpoint,
                angle,
                quote,
            } => {
                let target = self.scenario.checkpoint_index(checkpoint);
                if let Some(i) = target {
                    self.deep_dives.push(super::Dive {
                        checkpoint: i,
                        angle: *angle,
                        quote: quote.clone(),
                        asked: self.next_turn(),
                    });
                }
                self.ask_follow_up(*stage, target.into_iter().collect());
                self.pending_probe = Some(*stage);
                // Not a scenario probe: nothing to press by index.
                self.last_probe = None;
            }
            Action::Hint { stage, offered, .. } => {
                let next = self.next_turn();
                let st = &mut self.stats[*stage];
                if *offered {
                    st.offered += 1;
                } else {
                    st.hints += 1;
                    st.hint_turns.push(next);
                }
                self.dry_turns = 0;
            }
            Action::AdvanceStage { to, reason, .. } => {
                // A stage the candidate asked to skip, and spoke in for less than its budget's
                // tenth, is skipped: it showed too little to score.
                if *reason == Reason::Skip
                    && let Phase::Stage(s) = self.phase
                {
                    let st = &self.stats[s];
                    let spent = st.entered_at.map_or(0.0, |e| at - e);
                    if spent < self.budget.stage(s) * 0.1 {
                        self.stats[s].skipped = true;
                    }
                }
                self.leave_stage(at);
                self.phase = Phase::Stage(*to);
                let st = &mut self.stats[*to];
                if st.entered_at.is_none() {
                    st.entered_at = Some(at);
                }
                st.left_at = None;
                self.dry_turns = 0;
            }
            Action::Redirect { .. } => self.redirects += 1,
            Action::PushBack { misconception, .. } => {
                let line = self.next_turn();
                if let Some(i) = self.scenario.misconception_index(misconception)
                    && let Some(m) = self.missteps.iter_mut().find(|m| m.misconception == i)
                {
                    m.challenged.get_or_insert(line);
                }
            }
            Action::WrapUp { .. } => {
                self.leave_stage(at);
                self.phase = Phase::WrapUp;
            }
            Action::Debrief { .. } => {
                self.leave_stage(at);
                self.phase = Phase::Ended;
            }
            // The run it reviews is already in `code_runs`.
            Action::CodeReview { .. } => {}
        }
    }

    /// A new follow-up in `stage`, asked by the interviewer line about to be said (actions are
    /// applied just before the line that says them).
    fn ask_follow_up(&mut self, stage: crate::framework::Stage, about: Vec<usize>) {
        self.follow_ups.push(super::FollowUp {
            stage,
            asked: self.next_turn(),
            about,
            reply: None,
            answered: false,
            pressed: false,
        });
    }

    /// The candidate talked over the line that asked the pending follow-up before its question
    /// was heard: nobody can fail to answer what they never heard, so it is not counted.
    fn unheard_follow_up(&mut self, line: usize) {
        self.pending_probe = None;
        match self.follow_ups.last_mut() {
            Some(f) if f.asked == line => {
                self.follow_ups.pop();
            }
            // The press went unheard; the first asking and its reply stand.
            Some(f) => f.pressed = false,
            None => {}
        }
    }

    fn leave_stage(&mut self, at: f64) {
        if let Some(s) = self.stage() {
            self.stats[s].left_at = Some(at);
        }
        self.pending_probe = None;
        self.last_probe = None;
    }
}

/// Whether any sentence of an interviewer's line asks something.
fn asks(text: &str) -> bool {
    crate::cue::sentences(text).into_iter().any(|r| {
        let s = &text[r];
        crate::cue::is_question(s, &crate::cue::Tokens::new(s))
    })
}
