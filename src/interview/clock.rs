//! Time: stage budgets scaled to the session length, and the spoken-time clock chat uses so that
//! slow typing does not eat the interview.

use crate::cue::word_count;
use crate::framework::StageMap;
use crate::framework::{Stage, WRAP_UP_MINUTES_OF_SIXTY};

#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Seconds per stage, in stage order.
    pub stages: StageMap<f64>,
    pub wrap_up: f64,
    pub total: f64,
}

impl Budget {
    /// FRAMEWORK.md's split of a 60-minute case study, scaled to `minutes`.
    pub fn for_minutes(minutes: u32) -> Budget {
        let scale = minutes as f64 / 60.0;
        let stages = StageMap::from_fn(|s| s.minutes_of_sixty() * 60.0 * scale);
        Budget {
            stages,
            wrap_up: WRAP_UP_MINUTES_OF_SIXTY * 60.0 * scale,
            total: minutes as f64 * 60.0,
        }
    }

    /// A scenario's own split (minutes for `of` minutes: eight stages, then wrap-up), scaled to a
    /// session of `minutes`; the framework's split when the scenario has none.
    pub fn from_split(split: Option<&[f64; 9]>, of: u32, minutes: u32) -> Budget {
        let Some(split) = split else {
            return Budget::for_minutes(minutes);
        };
        let scale = minutes as f64 / of as f64 * 60.0;
        Budget {
            stages: StageMap::from_fn(|s| split[s.index()] * scale),
            wrap_up: split[8] * scale,
            total: minutes as f64 * 60.0,
        }
    }

    pub fn stage(&self, s: Stage) -> f64 {
        self.stages[s]
    }

    /// When the wrap-up should begin, in seconds from the start.
    pub fn wrap_up_at(&self) -> f64 {
        self.total - self.wrap_up
    }
}

/// Speaking rates and pauses, so a typed turn costs what saying it would. It keeps no time of its
/// own: the interview's `now` is the one clock, and this says how far a turn moves it.
#[derive(Debug, Clone)]
pub struct SpokenClock {
    pub candidate_wpm: f64,
    pub interviewer_wpm: f64,
    /// Thinking time before each candidate answer.
    pub pause: f64,
    /// The most one turn may cost, so a huge paste does not end the interview.
    pub max_turn: f64,
}

impl Default for SpokenClock {
    fn default() -> SpokenClock {
        SpokenClock {
            candidate_wpm: 130.0,
            interviewer_wpm: 150.0,
            pause: 10.0,
            max_turn: 180.0,
        }
    }
}

impl SpokenClock {
    /// When a candidate turn that starts at `now` ends, and whether its cost was capped.
    pub fn candidate(&self, now: f64, text: &str) -> (f64, bool) {
        let raw = self.pause + word_count(text) as f64 * 60.0 / self.candidate_wpm;
        (now + raw.min(self.max_turn), raw > self.max_turn)
    }

    /// When an interviewer line that starts at `now` ends.
    pub fn interviewer(&self, now: f64, text: &str) -> f64 {
        now + word_count(text) as f64 * 60.0 / self.interviewer_wpm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_scale_with_length() {
        let b60 = Budget::for_minutes(60);
        assert_eq!(b60.stage(Stage::Clarify), 480.0);
        assert_eq!(b60.wrap_up_at(), 55.0 * 60.0);
        let b90 = Budget::for_minutes(90);
        assert_eq!(b90.stage(Stage::Clarify), 720.0);
        let b45 = Budget::for_minutes(45);
        assert_eq!(b45.stages.values().sum::<f64>() + b45.wrap_up, 45.0 * 60.0);
    }

    #[test]
    fn a_scenario_split_scales_with_the_session() {
        let split = [10.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 10.0, 10.0];
        let b = Budget::from_split(Some(&split), 60, 90);
        assert_eq!(b.stage(Stage::Clarify), 15.0 * 60.0);
        assert_eq!(b.wrap_up_at(), 75.0 * 60.0);
        assert_eq!(Budget::from_split(None, 60, 45), Budget::for_minutes(45));
    }

    #[test]
    fn spoken_time_counts_words_not_typing() {
        let c = SpokenClock::default();
        let (t, capped) = c.candidate(0.0, &"word ".repeat(130));
        assert_eq!((t, capped), (70.0, false));
        let (t2, capped) = c.candidate(t, &"word ".repeat(100_000));
        assert!(capped);
        assert_eq!(t2, 250.0);
        assert_eq!(c.interviewer(t2, &"x ".repeat(15)), 256.0);
    }
}
