//! The microphone's side of a recording, whatever the device: interleaved frames at the device's
//! rate go in, 16 kHz mono comes out. It always keeps the last moment of audio, so a recording
//! starts a little before the key press and the first syllable is not lost.

use super::audio::{Clip, RATE};
use super::segment::Segmenter;
use std::collections::VecDeque;

/// Audio kept from before the talk key, in seconds.
pub const PREROLL: f64 = 0.3;
/// Loudness is measured over frames of this many seconds.
const FRAME: f64 = 0.03;

/// A live recording source. The driver calls these from its one thread.
pub trait Microphone {
    /// Start keeping audio, from `PREROLL` before now.
    fn start(&mut self);
    /// The loudness (RMS of full scale) of the newest frame, if a new one has arrived.
    fn level(&mut self) -> Option<f32>;
    /// While recording: the next finished piece of the answer (`segment::Segmenter`), from
    /// where the last one ended, so it can be transcribed while the candidate goes on.
    fn piece(&mut self) -> Option<Clip>;
    /// Stop, and return the whole recording (pieces included).
    fn stop(&mut self) -> Clip;
    /// Stop, and throw the recording away.
    fn cancel(&mut self);
}

/// Downmix, resample and keep: the worker behind any microphone.
pub struct Capture {
    channels: usize,
    /// Input samples per output sample.
    step: f64,
    /// Position of the next output sample, in input samples counted from `base`.
    pos: f64,
    /// The input sample before the current one (for interpolation).
    prev: f32,
    preroll: VecDeque<f32>,
    recording: Option<Vec<f32>>,
    /// Where the recording's finished pieces end, and the end of the last one handed out.
    segmenter: Segmenter,
    pieced: usize,
    frame: Vec<f32>,
    level: Option<f32>,
}

impl Capture {
    pub fn new(rate: u32, channels: usize) -> Capture {
        Capture {
            channels: channels.max(1),
            step: rate as f64 / RATE as f64,
            pos: 0.0,
            prev: 0.0,
            preroll: VecDeque::new(),
            recording: None,
            segmenter: Segmenter::default(),
            pieced: 0,
            frame: Vec::new(),
            level: None,
        }
    }

    /// Interleaved samples as the device delivered them.
    pub fn push(&mut self, interleaved: &[f32]) {
        let keep = (PREROLL * RATE as f64) as usize;
        let frame_len = (FRAME * RATE as f64) as usize;
        for f in interleaved.chunks(self.channels) {
            let x = f.iter().sum::<f32>() / f.len() as f32;
            // Linear interpolation between the previous input sample (at 0) and this one (at 1).
            while self.pos <= 1.0 {
                let y = self.prev + (x - self.prev) * self.pos as f32;
                self.pos += self.step;
                match &mut self.recording {
                    Some(r) => r.push(y),
                    None => {
                        self.preroll.push_back(y);
                        if self.preroll.len() > keep {
                            self.preroll.pop_front();
                        }
                    }
                }
                self.frame.push(y);
                if self.frame.len() >= frame_len {
                    let rms = (self.frame.iter().map(|v| v * v).sum::<f32>()
                        / self.frame.len() as f32)
                        .sqrt();
                    self.level = Some(rms);
                    self.frame.clear();
                }
            }
            self.pos -= 1.0;
            self.prev = x;
        }
    }

    pub fn start(&mut self) {
        self.recording = Some(self.preroll.drain(..).collect());
        self.segmenter = Segmenter::default();
        self.pieced = 0;
    }

    pub fn piece(&mut self) -> Option<Clip> {
        let recording = self.recording.as_ref()?;
        let end = self.segmenter.next(recording)?;
        let samples = recording[self.pieced..end].to_vec();
        self.pieced = end;
        Some(Clip { samples })
    }

    pub fn level(&mut self) -> Option<f32> {
        self.level.take()
    }

    pub fn stop(&mut self) -> Clip {
        Clip {
            samples: self.recording.take().unwrap_or_default(),
        }
    }

    pub fn cancel(&mut self) {
        self.recording = None;
    }

    pub fn recording(&self) -> bool {
        self.recording.is_some()
    }
}

/// A microphone that "hears" prepared clips in real time, the next one from each `start` (in
/// turn, again from the first after the last), through the same capture path: the test and
/// benchmark microphone.
pub struct ClipMic {
    capture: Capture,
    /// 48 kHz stereo, like a laptop microphone, so the capture path really converts.
    clips: Vec<Vec<f32>>,
    /// The clip being heard, and how much of it has been fed.
    playing: usize,
    fed: usize,
    started: usize,
    since: std::time::Instant,
}

const CLIP_MIC_RATE: u32 = 48_000;

impl ClipMic {
    pub fn new(clip: &Clip) -> ClipMic {
        ClipMic::answers(std::slice::from_ref(clip))
    }

    /// One clip per recording, in turn.
    pub fn answers(clips: &[Clip]) -> ClipMic {
        let stereo = |clip: &Clip| {
            super::audio::resample(&clip.samples, RATE, CLIP_MIC_RATE)
                .iter()
                .flat_map(|&s| [s, s])
                .collect()
        };
        ClipMic {
            capture: Capture::new(CLIP_MIC_RATE, 2),
            clips: clips.iter().map(stereo).collect(),
            playing: 0,
            fed: 0,
            started: 0,
            since: std::time::Instant::now(),
        }
    }

    /// Feed what a real device would have delivered by now; silence once the clip is over.
    fn pump(&mut self) {
        if !self.capture.recording() {
            return;
        }
        let due = (self.since.elapsed().as_secs_f64() * CLIP_MIC_RATE as f64) as usize * 2;
        while self.fed < due {
            let end = due.min(self.fed + 9600);
            let piece: Vec<f32> = (self.fed..end)
                .map(|i| {
                    self.clips
                        .get(self.playing)
                        .and_then(|c| c.get(i))
                        .copied()
                        .unwrap_or(0.0)
                })
                .collect();
            self.capture.push(&piece);
            self.fed = end;
        }
    }
}

impl Microphone for ClipMic {
    fn start(&mut self) {
        self.capture.start();
        self.since = std::time::Instant::now();
        self.fed = 0;
        self.playing = self.started % self.clips.len().max(1);
        self.started += 1;
    }
    fn level(&mut self) -> Option<f32> {
        self.pump();
        self.capture.level()
    }
    fn piece(&mut self) -> Option<Clip> {
        self.pump();
        self.capture.piece()
    }
    fn stop(&mut self) -> Clip {
        self.pump();
        self.capture.stop()
    }
    fn cancel(&mut self) {
        self.capture.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, channels: usize, secs: f64, hz: f32) -> Vec<f32> {
        (0..(secs * rate as f64) as usize)
            .flat_map(|i| {
                let v = (i as f32 * hz * std::f32::consts::TAU / rate as f32).sin() * 0.5;
                std::iter::repeat_n(v, channels)
            })
            .collect()
    }

    #[test]
    fn device_audio_becomes_16k_mono_in_any_block_size() {
        for (rate, channels) in [(48_000, 2), (44_100, 1), (16_000, 1), (8_000, 2)] {
            let input = sine(rate, channels, 1.0, 440.0);
            let mut c = Capture::new(rate, channels);
            c.start();
            // Odd block sizes, as device callbacks deliver them.
            for block in input.chunks(channels * 333) {
                c.push(block);
            }
            let clip = c.stop();
            let n = clip.samples.len() as i64;
            assert!((n - 16_000).abs() <= 2, "{rate}/{channels}: {n} samples");
            // The tone survives: RMS of a 0.5 sine is about 0.354.
            let rms = (clip.samples.iter().map(|x| x * x).sum::<f32>() / n as f32).sqrt();
            assert!((rms - 0.354).abs() < 0.02, "{rate}/{channels}: rms {rms}");
        }
    }

    #[test]
    fn a_recording_keeps_the_moment_before_the_key_and_nothing_older() {
        let mut c = Capture::new(16_000, 1);
        // Two seconds of audio before the key: a marker of ones in the last 0.1 s.
        let mut before = vec![0.0f32; 32_000];
        for s in &mut before[30_400..] {
            *s = 1.0;
        }
        c.push(&before);
        c.start();
        c.push(&vec![0.5; 1600]);
        let clip = c.stop();
        assert_eq!(clip.samples.len(), 4800 + 1600, "0.3 s pre-roll + 0.1 s");
        assert!(clip.samples[3200..4800].iter().all(|&s| s > 0.99));
        // After stop it starts afresh.
        assert!(c.stop().samples.is_empty());
    }

    #[test]
    fn levels_follow_the_audio() {
        let mut c = Capture::new(16_000, 1);
        c.push(&vec![0.0; 480]);
        assert!(c.level().unwrap() < 0.001);
        assert_eq!(c.level(), None, "each level is reported once");
        c.push(&sine(16_000, 1, 0.03, 300.0));
        assert!(c.level().unwrap() > 0.3);
    }
}
