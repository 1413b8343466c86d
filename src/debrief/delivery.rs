//! Delivery: how spoken answers sounded (pace, fillers, pauses), apart from what they said.

use crate::interview::Interview;
use serde::{Deserialize, Serialize};

/// How the spoken answers sounded; only for sessions that were spoken.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivery {
    pub answers: usize,
    /// Words per minute of speech, over all spoken answers.
    pub words_per_minute: f64,
    pub fillers: usize,
    pub longest_pause: f64,
    /// The turn with the longest pause.
    pub longest_pause_turn: usize,
    pub notes: Vec<String>,
}

pub(super) fn delivery(iv: &Interview) -> Option<Delivery> {
    if iv.voice_notes.is_empty() {
        return None;
    }
    let speech: f64 = iv.voice_notes.iter().map(|v| v.speech_seconds).sum();
    let words: f64 = iv
        .voice_notes
        .iter()
        .map(|v| v.words_per_minute * v.speech_seconds / 60.0)
        .sum();
    let wpm = if speech > 0.0 {
        (words * 60.0 / speech).round()
    } else {
        0.0
    };
    let fillers: usize = iv.voice_notes.iter().map(|v| v.fillers).sum();
    let worst = iv
        .voice_notes
        .iter()
        .max_by(|a, b| a.longest_pause.total_cmp(&b.longest_pause))
        .unwrap();
    let mut notes = Vec::new();
    if wpm > 170.0 {
        notes.push(format!(
            "{wpm:.0} words a minute is fast; slow down where the design matters"
        ));
    } else if wpm < 100.0 && wpm > 0.0 {
        notes.push(format!(
            "{wpm:.0} words a minute is slow; think, then say it in fewer words"
        ));
    }
    if fillers > iv.voice_notes.len() {
        notes.push(format!(
            "{fillers} filler words in {} answers",
            iv.voice_notes.len()
        ));
    }
    if worst.longest_pause >= 3.0 {
        notes.push(format!(
            "a {:.1} s pause in turn {}: say what you are weighing instead",
            worst.longest_pause, worst.turn
        ));
    }
    Some(Delivery {
        answers: iv.voice_notes.len(),
        words_per_minute: wpm,
        fillers,
        longest_pause: worst.longest_pause,
        longest_pause_turn: worst.turn,
        notes,
    })
}
