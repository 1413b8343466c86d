//! Cutting an answer into pieces while it is spoken, so the recogniser works during the answer
//! and only the last stretch is left when the candidate stops. A piece ends in the middle of a
//! pause, where no word is cut in half; a stretch with no pause long enough is cut at its
//! quietest moment, as `Clip::chunks` cuts uploads.
//!
//! Answers up to `Prompt::TERMS_UP_TO_SECONDS` are never cut: they are transcribed whole, primed
//! with the terms, exactly as before; every piece of a longer answer is transcribed without a
//! prompt, which is what `Prompt::chosen` picks for the whole of it.

use super::audio::{RATE, SILENCE_RMS};
use super::hearing::Prompt;

/// Samples in a 30 ms frame: loudness is judged a frame at a time.
const FRAME: usize = RATE as usize * 30 / 1000;
/// A piece shorter than this gives the recogniser too little to go on, and each request costs
/// a whole pass of its encoder whatever the length.
const MIN_PIECE: f64 = 5.0;
/// Past this with no pause, the piece is cut at its quietest moment anyway: what is left at the
/// release stays short.
const MAX_PIECE: f64 = 20.0;
/// Silence this long falls between sentences, not inside a word. Measured on espeak-ng answers
/// of 145-205 words a minute: 0.21-0.24 s at a full stop, 0.09-0.15 s at a comma or between
/// words (the closure of a stop consonant is shorter still); people pause longer than espeak.
const PAUSE: f64 = 0.2;
/// Speech must be this many times louder than the quietest frame of the stretch (the room).
const OVER_NOISE: f32 = 3.0;

fn frames(seconds: f64) -> usize {
    (seconds * RATE as f64 / FRAME as f64).round() as usize
}

/// Where the finished pieces of one recording end, found as the recording grows.
#[derive(Debug, Default, Clone)]
pub struct Segmenter {
    /// Loudness of each whole frame so far.
    levels: Vec<f32>,
    /// The frame where the piece being spoken began.
    cut: usize,
}

impl Segmenter {
    /// Given the recording so far (it only grows), the sample where a finished piece ends, if
    /// one has: each piece is reported once, and the next starts where it ended.
    pub fn next(&mut self, recording: &[f32]) -> Option<usize> {
        while (self.levels.len() + 1) * FRAME <= recording.len() {
            let f = &recording[self.levels.len() * FRAME..][..FRAME];
            self.levels
                .push((f.iter().map(|x| x * x).sum::<f32>() / FRAME as f32).sqrt());
        }
        let n = self.levels.len();
        if n < frames(Prompt::TERMS_UP_TO_SECONDS) || n < self.cut + frames(MIN_PIECE) {
            return None;
        }
        let stretch = &self.levels[self.cut..n];
        let floor = stretch.iter().copied().fold(f32::MAX, f32::min);
        let quiet = SILENCE_RMS.max(OVER_NOISE * floor);
        // The first pause long enough that begins once the piece is long enough; its middle
        // (or, while it lasts, the middle of what has been heard of it) is the cut.
        let mut run = 0;
        for (i, &level) in stretch.iter().enumerate() {
            if level < quiet {
                run += 1;
            } else {
                run = 0;
            }
            let begun = i + 1 - run;
            if run >= frames(PAUSE) && begun >= frames(MIN_PIECE) {
                return Some(self.cut_at(self.cut + begun + run / 2));
            }
        }
        if stretch.len() >= frames(MAX_PIECE) {
            let window = frames(MAX_PIECE) / 10;
            let quietest = (stretch.len() - window..stretch.len())
                .min_by(|&a, &b| stretch[a].total_cmp(&stretch[b]))
                .unwrap_or(stretch.len());
            return Some(self.cut_at(self.cut + quietest));
        }
        None
    }

    /// The cuts the live path makes in `recording`, as if it arrived a frame at a time (for
    /// measuring the pieces against the whole, `casecoach eval speech`).
    pub fn cuts(recording: &[f32]) -> Vec<usize> {
        let mut s = Segmenter::default();
        let mut out = Vec::new();
        for end in (FRAME..=recording.len()).step_by(FRAME) {
            while let Some(c) = s.next(&recording[..end]) {
                out.push(c);
            }
        }
        out
    }

    fn cut_at(&mut self, frame: usize) -> usize {
        self.cut = frame;
        frame * FRAME
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Speech-like sound (a loud tone) and silence, in seconds, in turn.
    fn spoken(parts: &[(f64, bool)]) -> Vec<f32> {
        parts
            .iter()
            .flat_map(|&(secs, loud)| {
                (0..(secs * RATE as f64) as usize).map(move |i| {
                    if loud {
                        (i as f32 * 0.07).sin() * 0.3
                    } else {
                        0.0
                    }
                })
            })
            .collect()
    }

    fn cuts(recording: &[f32]) -> Vec<usize> {
        Segmenter::cuts(recording)
    }

    #[test]
    fn a_short_answer_is_never_cut() {
        let r = spoken(&[(4.0, true), (0.6, false), (4.0, true), (0.6, false)]);
        assert!(cuts(&r).is_empty());
    }

    #[test]
    fn a_long_answer_is_cut_inside_its_pauses_once_the_pieces_are_long_enough() {
        // Pauses at 6 s (cut once the answer is past 10 s), 12.5 s, 14 s (too soon after the
        // last cut) and 20 s.
        let r = spoken(&[
            (6.0, true),
            (0.5, false),
            (6.0, true),
            (0.5, false),
            (1.0, true),
            (0.5, false),
            (5.5, true),
            (0.5, false),
            (3.0, true),
        ]);
        let cuts = cuts(&r);
        let secs: Vec<f64> = cuts.iter().map(|&c| c as f64 / RATE as f64).collect();
        assert_eq!(cuts.len(), 3, "{secs:?}");
        // Each cut lies inside a pause: silence on both sides of it.
        for &c in &cuts {
            assert!(r[c - 800..c + 800].iter().all(|&x| x == 0.0), "{secs:?}");
        }
        assert!((6.0..6.5).contains(&secs[0]), "{secs:?}");
        assert!((12.5..13.0).contains(&secs[1]), "{secs:?}");
        assert!((20.0..20.5).contains(&secs[2]), "{secs:?}");
    }

    #[test]
    fn a_short_gap_between_words_is_not_a_pause() {
        let mut parts = Vec::new();
        for _ in 0..30 {
            parts.push((0.5, true));
            parts.push((0.15, false));
        }
        assert!(
            cuts(&spoken(&parts)).is_empty(),
            "19.5 s with only short gaps"
        );
    }

    #[test]
    fn speech_with_no_pause_is_cut_at_its_quietest_moment() {
        let mut r = spoken(&[(30.0, true)]);
        // A softer moment near the 20 s mark (still louder than silence).
        for x in &mut r[(18.5 * RATE as f64) as usize..(18.6 * RATE as f64) as usize] {
            *x *= 0.2;
        }
        let cuts = cuts(&r);
        assert_eq!(cuts.len(), 1);
        let at = cuts[0] as f64 / RATE as f64;
        assert!((18.4..18.7).contains(&at), "{at}");
    }

    #[test]
    fn a_noisy_room_is_not_speech() {
        // Noise at 0.02 RMS (over the quiet-room threshold) between loud phrases.
        let mut r = spoken(&[(11.0, true), (0.5, false), (6.0, true)]);
        for (i, x) in r.iter_mut().enumerate() {
            if *x == 0.0 {
                *x = if i % 2 == 0 { 0.02 } else { -0.02 };
            }
        }
        let cuts = cuts(&r);
        assert_eq!(cuts.len(), 1);
        let at = cuts[0] as f64 / RATE as f64;
        assert!((11.0..11.5).contains(&at), "{at}");
    }
}
