//! Recordings: any WAV in (16/24/32-bit integer or float, any rate, any channels), 16 kHz mono
//! out, which is what speech-to-text servers want. Silence is caught before anything is sent.

use anyhow::{Context, Result, bail};
use std::io::Cursor;
use std::path::Path;

pub const RATE: u32 = 16_000;
/// Below this RMS (of full scale) a 30 ms frame counts as silence.
pub const SILENCE_RMS: f32 = 0.01;

/// Mono samples at 16 kHz, in -1..1.
#[derive(Debug, Clone)]
pub struct Clip {
    pub samples: Vec<f32>,
}

impl Clip {
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / RATE as f64
    }

    /// Seconds of frames louder than silence.
    pub fn speech_seconds(&self) -> f64 {
        let frame = (RATE as usize * 30) / 1000;
        let loud = self
            .samples
            .chunks(frame)
            .filter(|f| {
                (f.iter().map(|x| x * x).sum::<f32>() / f.len() as f32).sqrt() >= SILENCE_RMS
            })
            .count();
        loud as f64 * 0.030
    }

    /// The loudest sample, 0-1: a dead microphone shows 0.
    pub fn peak(&self) -> f32 {
        self.samples.iter().fold(0.0, |m, s| m.max(s.abs()))
    }

    /// The longest run of silent frames, in seconds: a delivery note, and a sign of a stall.
    pub fn longest_pause(&self) -> f64 {
        let frame = (RATE as usize * 30) / 1000;
        let (mut run, mut best) = (0usize, 0usize);
        for f in self.samples.chunks(frame) {
            let rms = (f.iter().map(|x| x * x).sum::<f32>() / f.len() as f32).sqrt();
            if rms < SILENCE_RMS {
                run += 1;
                best = best.max(run);
            } else {
                run = 0;
            }
        }
        best as f64 * 0.030
    }

    /// Pieces of at most `max_secs`, each cut at the quietest 30 ms frame in the last tenth of
    /// its span, so a long answer uploads in parts without cutting words in half.
    pub fn chunks(&self, max_secs: f64) -> Vec<Clip> {
        let max = (max_secs * RATE as f64) as usize;
        let frame = (RATE as usize * 30) / 1000;
        let mut out = Vec::new();
        let mut start = 0;
        while self.samples.len() - start > max {
            let window_start = start + max - max / 10;
            let quietest = (window_start..start + max - frame)
                .step_by(frame)
                .min_by(|&a, &b| {
                    let e = |i: usize| {
                        self.samples[i..i + frame]
                            .iter()
                            .map(|x| x * x)
                            .sum::<f32>()
                    };
                    e(a).total_cmp(&e(b))
                })
                .unwrap_or(start + max);
            out.push(Clip {
                samples: self.samples[start..quietest].to_vec(),
            });
            start = quietest;
        }
        out.push(Clip {
            samples: self.samples[start..].to_vec(),
        });
        out
    }

    /// 16-bit PCM WAV bytes, for upload.
    pub fn wav(&self) -> Result<Vec<u8>> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = hound::WavWriter::new(&mut out, spec)?;
            for s in &self.samples {
                w.write_sample((s.clamp(-1.0, 1.0) * i16::MAX as f32) as i16)?;
            }
            w.finalize()?;
        }
        Ok(out.into_inner())
    }
}

/// The longest answer read from a file by default: ten minutes is longer than any answer an
/// interviewer lets run, and bounds what one file can cost in memory and uploads.
pub const MAX_ANSWER_SECS: f64 = 600.0;

/// Read a WAV file of at most `max_secs`, mix down to mono and resample to 16 kHz.
pub fn read(path: &Path, max_secs: f64) -> Result<Clip> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("{} is not a readable WAV file", path.display()))?;
    decode(std::io::BufReader::new(file), max_secs)
        .map_err(|e| anyhow::anyhow!("{} {e:#}", path.display()))
}

/// WAV bytes (a speech endpoint's reply, an espeak file) as a 16 kHz mono clip.
pub fn decode_bytes(bytes: &[u8]) -> Result<Clip> {
    decode(Cursor::new(bytes), MAX_ANSWER_SECS).map_err(|e| anyhow::anyhow!("the audio {e:#}"))
}

/// Sample rates a recording can have; a header outside them is damaged or made up (a 1 Hz
/// header turned 32 KB into 16,000 s of audio).
const RATES: std::ops::RangeInclusive<u32> = 4_000..=192_000;

fn decode<R: std::io::Read>(input: R, max_secs: f64) -> Result<Clip> {
    let reader = hound::WavReader::new(input).context("is not a readable WAV file")?;
    let spec = reader.spec();
    if spec.channels == 0 || spec.sample_rate == 0 {
        bail!("has no channels or no sample rate in its WAV header");
    }
    if !RATES.contains(&spec.sample_rate) || spec.channels > 8 {
        bail!(
            "has a WAV header that cannot be right ({} Hz, {} channels); record it again",
            spec.sample_rate,
            spec.channels
        );
    }
    let said = reader.duration() as f64 / spec.sample_rate as f64;
    if said > max_secs {
        bail!(
            "is {:.1} minutes long; an answer can be at most {} minutes (split the recording, or raise [voice] max_answer_minutes)",
            said / 60.0,
            // 0.5 and 10 as they were configured, not "0" and "10.0".
            (max_secs / 6.0).round() / 10.0
        );
    }
    // Mixed down as it is read, and never past the limit whatever the header claims: memory
    // stays at one channel of at most `max_secs`.
    let channels = spec.channels as usize;
    let most = (max_secs * spec.sample_rate as f64) as usize * channels;
    let mut frames = Vec::with_capacity((reader.duration() as usize).min(most / channels));
    let mut sum = 0.0f32;
    let mut add = |v: f32, i: usize| {
        sum += v;
        if i % channels == channels - 1 {
            frames.push(sum / channels as f32);
            sum = 0.0;
        }
    };
    match spec.sample_format {
        hound::SampleFormat::Float => {
            for (i, v) in reader.into_samples::<f32>().take(most).enumerate() {
                add(v?, i);
            }
        }
        hound::SampleFormat::Int => {
            let scale = (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            for (i, v) in reader.into_samples::<i32>().take(most).enumerate() {
                add(v? as f32 / scale, i);
            }
        }
    }
    if frames.is_empty() {
        bail!("holds no audio");
    }
    Ok(Clip {
        samples: resample(&frames, spec.sample_rate, RATE),
    })
}

/// Interleaved frames mixed down to one channel.
pub fn mono(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels <= 1 {
        return interleaved.to_vec();
    }
    interleaved
        .chunks(channels)
        .map(|f| f.iter().sum::<f32>() / channels as f32)
        .collect()
}

/// Linear interpolation: plenty for speech recognition, and no dependency.
pub fn resample(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || x.len() < 2 {
        return x.to_vec();
    }
    let n = (x.len() as u64 * to as u64 / from as u64) as usize;
    let step = from as f64 / to as f64;
    (0..n)
        .map(|i| {
            let t = i as f64 * step;
            let j = t as usize;
            let f = (t - j as f64) as f32;
            let a = x[j.min(x.len() - 1)];
            let b = x[(j + 1).min(x.len() - 1)];
            a + (b - a) * f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, rate: u32, channels: u16, samples: &[i16]) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for s in samples {
            w.write_sample(*s).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn any_wav_becomes_16k_mono_and_silence_is_measured() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        // One second of stereo 44.1 kHz: half a second of tone, half of silence.
        let mut s = Vec::new();
        for i in 0..44_100 {
            let v = if i < 22_050 {
                ((i as f32 * 0.06).sin() * 8000.0) as i16
            } else {
                0
            };
            s.push(v);
            s.push(v);
        }
        write(&p, 44_100, 2, &s);
        let clip = read(&p, MAX_ANSWER_SECS).unwrap();
        assert!((clip.seconds() - 1.0).abs() < 0.01, "{}", clip.seconds());
        assert!(
            (clip.speech_seconds() - 0.5).abs() < 0.05,
            "{}",
            clip.speech_seconds()
        );
        assert!((clip.longest_pause() - 0.5).abs() < 0.05);
        let wav = clip.wav().unwrap();
        let back = hound::WavReader::new(Cursor::new(wav)).unwrap();
        assert_eq!((back.spec().channels, back.spec().sample_rate), (1, 16_000));
    }

    #[test]
    fn long_clips_split_at_quiet_points_and_lose_nothing() {
        // 10 minutes: tone with a short silence every 7 seconds.
        let samples: Vec<f32> = (0..RATE as usize * 600)
            .map(|i| {
                if (i / RATE as usize) % 7 == 6 {
                    0.0
                } else {
                    (i as f32 * 0.05).sin() * 0.3
                }
            })
            .collect();
        let clip = Clip { samples };
        let parts = clip.chunks(120.0);
        assert_eq!(
            parts.len(),
            6,
            "{:?}",
            parts.iter().map(Clip::seconds).collect::<Vec<_>>()
        );
        assert!(parts.iter().all(|p| p.seconds() <= 120.0));
        assert_eq!(
            parts.iter().map(|p| p.samples.len()).sum::<usize>(),
            clip.samples.len()
        );
        // Cuts land in the silences: each later piece starts in one.
        for p in &parts[1..] {
            assert!(
                p.samples[..480].iter().all(|x| x.abs() < 1e-6),
                "cut inside speech"
            );
        }
        assert_eq!(
            Clip {
                samples: vec![0.1; 100]
            }
            .chunks(120.0)
            .len(),
            1
        );
    }

    #[test]
    fn broken_and_empty_files_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.wav");
        std::fs::write(&junk, b"not a wav at all").unwrap();
        assert!(
            read(&junk, MAX_ANSWER_SECS)
                .unwrap_err()
                .to_string()
                .contains("is not a readable WAV file")
        );
        let empty = dir.path().join("empty.wav");
        write(&empty, 16_000, 1, &[]);
        assert!(
            read(&empty, MAX_ANSWER_SECS)
                .unwrap_err()
                .to_string()
                .contains("holds no audio")
        );
    }

    #[test]
    fn absurd_headers_and_overlong_answers_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let slow = dir.path().join("one-hertz.wav");
        write(&slow, 1, 1, &[100; 16_000]);
        let e = read(&slow, MAX_ANSWER_SECS).unwrap_err().to_string();
        assert!(e.contains("a WAV header that cannot be right (1 Hz"), "{e}");

        // A short file whose header claims two hours: the data size field says so.
        let long = dir.path().join("two-hours.wav");
        write(&long, 16_000, 1, &[100; 1_600]);
        let mut bytes = std::fs::read(&long).unwrap();
        let at = bytes.windows(4).position(|w| w == b"data").unwrap() + 4;
        let claimed: u32 = 2 * 3600 * 16_000 * 2;
        bytes[at..at + 4].copy_from_slice(&claimed.to_le_bytes());
        std::fs::write(&long, &bytes).unwrap();
        let e = read(&long, MAX_ANSWER_SECS).unwrap_err().to_string();
        assert!(
            e.contains("is 120.0 minutes long; an answer can be at most 10 minutes"),
            "{e}"
        );

        // Within the limit it reads; a lower limit refuses the same file.
        let ok = dir.path().join("ok.wav");
        write(&ok, 16_000, 1, &[100; 32_000]);
        assert!((read(&ok, MAX_ANSWER_SECS).unwrap().seconds() - 2.0).abs() < 0.01);
        assert!(read(&ok, 1.0).is_err());
    }
}
