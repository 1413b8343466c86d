//! The one-line status under the live interview: where the turn is, which keys do what, and while
//! recording, for how long and how loud, so the candidate sees the microphone hears them.

use super::live::Terminal;
use super::turn::{Status, TurnMachine};
use std::time::{Duration, Instant};

#[derive(Default)]
pub(super) struct StatusLine {
    /// When the recording began, for its clock.
    recording_since: Option<Instant>,
    /// When the line was last drawn: the recording clock redraws it a few times a second.
    drawn: Option<Instant>,
    /// The microphone's latest loudness, for the meter.
    pub level: f32,
}

impl StatusLine {
    /// The machine moved to `status`; a recording starts its clock.
    pub fn moved_to(&mut self, status: Status) {
        self.recording_since = (status == Status::Recording).then(Instant::now);
    }

    pub fn draw(&mut self, machine: &TurnMachine, term: &mut dyn Terminal) {
        let s = machine.status;
        let label = match s {
            Status::Ready => "ready",
            Status::Recording => "recording",
            Status::Transcribing => "transcribing",
            Status::Confirming => "send it?",
            Status::Typing => "typing",
            Status::Thinking => "thinking",
            Status::Speaking => "speaking",
            Status::Failed => "transcription failed",
            Status::Done => "done",
        };
        let mut text = format!("[{label}]");
        if let Some(since) = self.recording_since {
            text += &format!(
                " {:.1}s {}",
                since.elapsed().as_secs_f64(),
                meter(self.level)
            );
        }
        let hint = machine.hint();
        if !hint.is_empty() {
            text += " ";
            text += hint;
        }
        term.status(s, &text);
        self.drawn = Some(Instant::now());
    }

    /// Time to redraw the recording clock.
    pub fn stale(&self) -> bool {
        self.drawn
            .is_none_or(|t| t.elapsed() > Duration::from_millis(200))
    }
}

/// A loudness meter: one block from silence (RMS 0.001) to loud speech (0.3), on a log scale.
pub fn meter(rms: f32) -> char {
    const BARS: [char; 9] = ['·', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let x = (rms.max(1e-4).log10() + 3.0) / 2.5 * 8.0;
    BARS[(x.round().clamp(0.0, 8.0)) as usize]
}

#[cfg(test)]
mod tests {
    use super::meter;

    #[test]
    fn the_meter_spans_silence_to_loud_speech() {
        assert_eq!(meter(0.0), '·');
        assert_eq!(meter(0.001), '·');
        assert_eq!(meter(0.3), '█');
        assert!(meter(0.02) > meter(0.005));
    }
}
