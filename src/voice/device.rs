//! The sound card, through cpal (cargo feature `mic`). The input stream opens once per session:
//! its callback only converts samples and pushes them into a lock-free ring; a worker thread
//! downmixes, resamples and keeps them (see `capture`). Output plays 16 kHz clips through a
//! shared queue the callback drains, so a stop empties the queue and silences at once.

#[cfg(not(feature = "mic"))]
use anyhow::Result;

/// Why there is no live microphone in this build.
pub const NO_MIC_BUILD: &str = "this build has no live microphone: rebuild with `cargo build --release --features mic` \
(Linux needs libasound2-dev), or practise from recordings with --audio-in a.wav,b.wav (one WAV per answer)";

#[cfg(not(feature = "mic"))]
pub fn list() -> Result<String> {
    anyhow::bail!("{NO_MIC_BUILD}")
}

/// `casecoach doctor`: whether live voice can run here.
#[cfg(not(feature = "mic"))]
pub fn doctor(_: Option<&str>, _: Option<&str>) -> Vec<crate::llm::doctor::Check> {
    vec![crate::llm::doctor::Check {
        name: "microphone",
        ok: true,
        detail: "this build has no live microphone (voice works from --audio-in files)".into(),
        fix: Some("cargo build --release --features mic (Linux needs libasound2-dev)".into()),
    }]
}

#[cfg(feature = "mic")]
pub use live::*;

#[cfg(feature = "mic")]
mod live {
    use super::super::audio::{self, Clip, RATE};
    use super::super::capture::{Capture, Microphone};
    use super::super::speech::Player;
    use anyhow::{Result, anyhow, bail};
    use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
    use cpal::{SampleFormat, SizedSample};
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    fn name(d: &cpal::Device) -> String {
        d.description()
            .map(|x| x.name().to_string())
            .or_else(|_| d.id().map(|i| i.to_string()))
            .unwrap_or_else(|_| "(unnamed)".into())
    }

    /// `voice --list-devices`: every input and output, with its default format, and which one
    /// is the default.
    pub fn list() -> Result<String> {
        let host = cpal::default_host();
        let mut out = String::new();
        let default_in = host.default_input_device().and_then(|d| d.id().ok());
        let default_out = host.default_output_device().and_then(|d| d.id().ok());
        for (title, input) in [
            ("Inputs (microphones)", true),
            ("Outputs (speakers)", false),
        ] {
            out.push_str(title);
            out.push('\n');
            let devices: Vec<cpal::Device> = if input {
                host.input_devices()
                    .map(|d| d.collect())
                    .unwrap_or_default()
            } else {
                host.output_devices()
                    .map(|d| d.collect())
                    .unwrap_or_default()
            };
            if devices.is_empty() {
                out.push_str("  (none)\n");
            }
            for d in devices {
                let n = name(&d);
                let config = if input {
                    d.default_input_config()
                } else {
                    d.default_output_config()
                };
                let detail = match config {
                    Ok(c) => format!(
                        "{} Hz, {} channel(s), {}",
                        c.sample_rate(),
                        c.channels(),
                        c.sample_format()
                    ),
                    Err(e) => format!("not usable: {e}"),
                };
                let default = if input { &default_in } else { &default_out };
                let mark = if d.id().ok().is_some_and(|id| Some(&id) == default.as_ref()) {
                    "*"
                } else {
                    " "
                };
                out.push_str(&format!(" {mark} {n}  ({detail})\n"));
            }
        }
        out.push_str("* default; choose with --input-device NAME / --output-device NAME (a part of the name is enough)\n");
        Ok(out)
    }

    /// `casecoach doctor`: can the microphone and the speaker open? Only a device the config
    /// names fails the check; without one, this is information (voice also works from files).
    pub fn doctor(input: Option<&str>, output: Option<&str>) -> Vec<crate::llm::doctor::Check> {
        let probe = |is_input: bool, wanted: Option<&str>| {
            let device = pick(is_input, wanted)?;
            let config = if is_input {
                device.default_input_config()
            } else {
                device.default_output_config()
            }
            .map_err(|e| anyhow!("{}: {e}", name(&device)))?;
            Ok::<_, anyhow::Error>(format!(
                "{} ({} Hz, {} channel(s), {})",
                name(&device),
                config.sample_rate(),
                config.channels(),
                config.sample_format()
            ))
        };
        [("microphone", true, input), ("speaker", false, output)]
            .into_iter()
            .map(|(what, is_input, wanted)| match probe(is_input, wanted) {
                Ok(detail) => crate::llm::doctor::Check {
                    name: what,
                    ok: true,
                    detail,
                    fix: None,
                },
                Err(e) => crate::llm::doctor::Check {
                    name: what,
                    ok: wanted.is_none(),
                    detail: match wanted {
                        Some(_) => format!("not usable: {e:#}"),
                        None => format!(
                            "none usable here ({e:#}); live voice needs one, practice from files does not"
                        ),
                    },
                    fix: Some(if is_input {
                        "pick one from casecoach voice --list-devices, or practise from recordings with --audio-in".into()
                    } else {
                        "pick one from casecoach voice --list-devices, or --tts none to read the lines".into()
                    }),
                },
            })
            .collect()
    }

    fn pick(input: bool, wanted: Option<&str>) -> Result<cpal::Device> {
        let host = cpal::default_host();
        let what = if input { "microphone" } else { "speaker" };
        match wanted {
            None => if input {
                host.default_input_device()
            } else {
                host.default_output_device()
            }
            .ok_or_else(|| {
                anyhow!("no {what} found (casecoach voice --list-devices shows what there is)")
            }),
            Some(w) => {
                let devices: Vec<cpal::Device> = if input {
                    host.input_devices()?.collect()
                } else {
                    host.output_devices()?.collect()
                };
                let w_low = w.to_lowercase();
                devices
                    .into_iter()
                    .find(|d| name(d) == w)
                    .or_else(|| {
                        let devices: Vec<cpal::Device> = if input {
                            host.input_devices().ok()?.collect()
                        } else {
                            host.output_devices().ok()?.collect()
                        };
                        devices
                            .into_iter()
                            .find(|d| name(d).to_lowercase().contains(&w_low))
                    })
                    .ok_or_else(|| {
                        anyhow!(
                            "no {what} named {w:?} (casecoach voice --list-devices shows the names)"
                        )
                    })
            }
        }
    }

    fn explain(e: cpal::Error, what: &str, device: &str) -> anyhow::Error {
        let why = match e.kind() {
            cpal::ErrorKind::DeviceBusy => {
                format!("the {what} {device:?} is busy: another program is using it")
            }
            cpal::ErrorKind::PermissionDenied => {
                format!(
                    "no permission to use the {what} {device:?} (on Linux: is your user in the audio group?)"
                )
            }
            _ => format!("the {what} {device:?} cannot be used: {e}"),
        };
        anyhow!("{why}")
    }

    /// The live microphone. Dropping it closes the stream.
    pub struct CpalMic {
        _stream: cpal::Stream,
        capture: Arc<Mutex<Worker>>,
        running: Arc<AtomicBool>,
        pub description: String,
    }

    impl CpalMic {
        pub fn open(wanted: Option<&str>) -> Result<CpalMic> {
            let device = pick(true, wanted)?;
            let n = name(&device);
            // With no sound card a default device still exists; its config is the real test.
            let config = device.default_input_config().map_err(|e| {
                anyhow!(
                    "no usable microphone ({n}: {e}); practise from recordings with --audio-in a.wav,b.wav, \
                     or pick another with --input-device (casecoach voice --list-devices)"
                )
            })?;
            let rate = config.sample_rate();
            let channels = config.channels() as usize;
            let description = format!(
                "{n} ({rate} Hz, {channels} channel(s), {})",
                config.sample_format()
            );
            // Two seconds of room: the worker drains it every 10 ms.
            let (producer, consumer) = rtrb::RingBuffer::<f32>::new(rate as usize * channels * 2);
            let stream = match config.sample_format() {
                SampleFormat::F32 => build::<f32>(&device, config.config(), producer),
                SampleFormat::I16 => build::<i16>(&device, config.config(), producer),
                SampleFormat::I32 => build::<i32>(&device, config.config(), producer),
                SampleFormat::U16 => build::<u16>(&device, config.config(), producer),
                other => bail!(
                    "the microphone {n} delivers {other} samples, which casecoach does not read"
                ),
            }
            .map_err(|e| explain(e, "microphone", &n))?;
            stream.play().map_err(|e| explain(e, "microphone", &n))?;
            let capture = Arc::new(Mutex::new(Worker {
                ring: consumer,
                capture: Capture::new(rate, channels),
                block: Vec::new(),
            }));
            let running = Arc::new(AtomicBool::new(true));
            let (cap, run) = (capture.clone(), running.clone());
            std::thread::spawn(move || {
                while run.load(Ordering::SeqCst) {
                    cap.lock().unwrap().drain();
                    std::thread::sleep(Duration::from_millis(10));
                }
            });
            Ok(CpalMic {
                _stream: stream,
                capture,
                running,
                description,
            })
        }
    }

    /// The ring's reading end and what it feeds; drained every 10 ms by the worker, and once
    /// more on the spot when a recording stops, so nothing waits for the worker's next round.
    struct Worker {
        ring: rtrb::Consumer<f32>,
        capture: Capture,
        block: Vec<f32>,
    }

    impl Worker {
        fn drain(&mut self) {
            self.block.clear();
            while let Ok(s) = self.ring.pop() {
                self.block.push(s);
            }
            if !self.block.is_empty() {
                self.capture.push(&self.block);
            }
        }
    }

    fn build<T>(
        device: &cpal::Device,
        config: cpal::StreamConfig,
        mut producer: rtrb::Producer<f32>,
    ) -> std::result::Result<cpal::Stream, cpal::Error>
    where
        T: SizedSample,
        f32: cpal::FromSample<T>,
    {
        device.build_input_stream::<T, _, _>(
            config,
            // The real-time callback: convert and push, never lock or allocate. A full ring
            // drops samples rather than block the audio thread.
            move |data: &[T], _| {
                for &s in data {
                    let _ = producer.push(s.to_sample::<f32>());
                }
            },
            |e| warn_once(&format!("microphone: {e}")),
            None,
        )
    }

    /// Stream errors arrive on the audio thread; they are worth one line on stderr.
    fn warn_once(msg: &str) {
        static SAID: AtomicBool = AtomicBool::new(false);
        if !SAID.swap(true, Ordering::SeqCst) {
            // The return goes to column 0 under the raw-mode status line; the message is cleaned.
            eprintln!("\r({})", crate::screen::safe(msg));
        }
    }

    impl Drop for CpalMic {
        fn drop(&mut self) {
            self.running.store(false, Ordering::SeqCst);
        }
    }

    impl Microphone for CpalMic {
        fn start(&mut self) {
            let mut w = self.capture.lock().unwrap();
            w.drain();
            w.capture.start();
        }
        fn level(&mut self) -> Option<f32> {
            self.capture.lock().unwrap().capture.level()
        }
        fn piece(&mut self) -> Option<Clip> {
            let mut w = self.capture.lock().unwrap();
            w.drain();
            w.capture.piece()
        }
        fn stop(&mut self) -> Clip {
            let mut w = self.capture.lock().unwrap();
            w.drain();
            w.capture.stop()
        }
        fn cancel(&mut self) {
            self.capture.lock().unwrap().capture.cancel();
        }
    }

    /// The live speaker.
    pub struct CpalPlayer {
        _stream: cpal::Stream,
        queue: Arc<Mutex<VecDeque<f32>>>,
        rate: u32,
        pub description: String,
    }

    // cpal's ALSA stream is Send; the player lives on the speaking thread.
    impl CpalPlayer {
        pub fn open(wanted: Option<&str>) -> Result<CpalPlayer> {
            let device = pick(false, wanted)?;
            let n = name(&device);
            let config = device
                .default_output_config()
                .map_err(|e| anyhow!("no usable speaker ({n}: {e}); pass --output-device, or --tts none to read the lines"))?;
            let rate = config.sample_rate();
            let channels = config.channels() as usize;
            let description = format!(
                "{n} ({rate} Hz, {channels} channel(s), {})",
                config.sample_format()
            );
            let queue = Arc::new(Mutex::new(VecDeque::<f32>::new()));
            let stream = match config.sample_format() {
                SampleFormat::F32 => {
                    play_stream::<f32>(&device, config.config(), queue.clone(), channels)
                }
                SampleFormat::I16 => {
                    play_stream::<i16>(&device, config.config(), queue.clone(), channels)
                }
                SampleFormat::I32 => {
                    play_stream::<i32>(&device, config.config(), queue.clone(), channels)
                }
                SampleFormat::U16 => {
                    play_stream::<u16>(&device, config.config(), queue.clone(), channels)
                }
                other => {
                    bail!("the speaker {n} takes {other} samples, which casecoach does not write")
                }
            }
            .map_err(|e| explain(e, "speaker", &n))?;
            stream.play().map_err(|e| explain(e, "speaker", &n))?;
            Ok(CpalPlayer {
                _stream: stream,
                queue,
                rate,
                description,
            })
        }
    }

    fn play_stream<T>(
        device: &cpal::Device,
        config: cpal::StreamConfig,
        queue: Arc<Mutex<VecDeque<f32>>>,
        channels: usize,
    ) -> std::result::Result<cpal::Stream, cpal::Error>
    where
        T: SizedSample + cpal::FromSample<f32>,
    {
        device.build_output_stream::<T, _, _>(
            config,
            move |data: &mut [T], _| {
                // try_lock: the audio thread never waits; a missed lock is one buffer of silence.
                let Ok(mut q) = queue.try_lock() else { return };
                for frame in data.chunks_mut(channels) {
                    let v = q.pop_front().unwrap_or(0.0);
                    for s in frame {
                        *s = T::from_sample(v);
                    }
                }
            },
            |e| warn_once(&format!("speaker: {e}")),
            None,
        )
    }

    impl Player for CpalPlayer {
        fn play(&mut self, clip: &Clip, stopped: &dyn Fn() -> bool) -> f64 {
            let samples = audio::resample(&clip.samples, RATE, self.rate);
            let total = samples.len();
            self.queue.lock().unwrap().extend(samples);
            loop {
                std::thread::sleep(Duration::from_millis(5));
                let left = self.queue.lock().unwrap().len();
                let played = (total.saturating_sub(left)) as f64 / self.rate as f64;
                if left == 0 {
                    return played;
                }
                if stopped() {
                    self.queue.lock().unwrap().clear();
                    return played;
                }
            }
        }
    }

    /// `voice --mic-check`: record a few seconds and say what was heard.
    pub fn mic_check(wanted: Option<&str>, seconds: f64) -> Result<(String, Clip)> {
        let mut mic = CpalMic::open(wanted)?;
        mic.start();
        std::thread::sleep(Duration::from_secs_f64(seconds));
        let clip = mic.stop();
        let report = format!(
            "microphone: {}\nrecorded {:.1} s (with {:.1} s of pre-roll), speech {:.1} s, peak level {:.0}%{}",
            mic.description,
            clip.seconds(),
            super::super::capture::PREROLL,
            clip.speech_seconds(),
            clip.peak() * 100.0,
            if clip.speech_seconds() < 0.3 {
                "\nno speech heard: check the input level, or pick another --input-device"
            } else {
                ""
            }
        );
        Ok((report, clip))
    }

    impl std::fmt::Debug for CpalMic {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.description)
        }
    }
}
