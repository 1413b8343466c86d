//! `casecoach eval speech`: how well the recogniser hears candidates' answers with each prompt.
//! The answers are the labelled corpus's own lines, joined into answers of about 5, 15, 30 and
//! 60 seconds and spoken by espeak-ng in several voices and speeds; each is transcribed once
//! per prompt, and the transcripts are scored by word error rate and by the scenario terms
//! heard right. A fifth of the answers, chosen by a hash of their id, is held out: the prompt is
//! chosen on the rest.

use super::audio::Clip;
use super::hearing::{self, Primer, Prompt};
use super::segment::Segmenter;
use super::stt::Stt;
use super::tts::{Espeak, Synth};
use crate::reader::corpus::{self, Case, Scenarios};
use crate::settings::Split;
use anyhow::{Context, Result};
use serde::Serialize;

/// Words per answer, in turn: about 5, 15, 30 and 60 seconds of speech.
pub const LENGTHS: [usize; 4] = [14, 40, 80, 160];
/// espeak-ng voices and speeds (words per minute), in turn.
const VOICES: [(&str, u32); 4] = [
    ("en-us", 165),
    ("en-gb", 185),
    ("en-gb-x-rp", 145),
    ("en-us", 205),
];

/// One spoken answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub id: String,
    pub text: String,
    /// The words it was made to (one of `LENGTHS`).
    pub length: usize,
    /// The interviewer's line before it (for the prompt that carries one).
    pub last_line: String,
    pub vocabulary: Vec<String>,
    /// The scenario and general terms it says.
    pub terms: Vec<String>,
    pub voice: &'static str,
    pub speed: u32,
    pub held_out: bool,
}

/// Answers made of consecutive corpus lines of one scenario, the scenarios in turn.
pub fn answers(cases: &[Case], scenarios: &Scenarios, limit: usize) -> Vec<Answer> {
    let mut by_scenario: Vec<(&str, Vec<&Case>)> = Vec::new();
    for c in cases.iter().filter(|c| scenarios.builtin(c)) {
        match by_scenario.iter_mut().find(|(s, _)| *s == c.scenario) {
            Some((_, v)) => v.push(c),
            None => by_scenario.push((&c.scenario, vec![c])),
        }
    }
    let mut cursors = vec![0usize; by_scenario.len()];
    let mut out = Vec::new();
    'all: while out.len() < limit {
        let mut any = false;
        for (k, (id, lines)) in by_scenario.iter().enumerate() {
            if out.len() >= limit {
                break 'all;
            }
            let target = LENGTHS[out.len() % LENGTHS.len()];
            let mut taken: Vec<&Case> = Vec::new();
            while cursors[k] < lines.len()
                && taken
                    .iter()
                    .map(|c| crate::cue::word_count(&c.text))
                    .sum::<usize>()
                    < target
            {
                taken.push(lines[cursors[k]]);
                cursors[k] += 1;
            }
            if taken.is_empty() {
                continue;
            }
            any = true;
            let scenario = scenarios.of(taken[0]);
            let text = taken
                .iter()
                .map(|c| sentence(&c.text))
                .collect::<Vec<_>>()
                .join(" ");
            let heard = hearing::words(&text);
            let terms = scenario
                .vocabulary
                .iter()
                .map(String::as_str)
                .chain(hearing::GENERAL_TERMS.iter().copied())
                .filter(|t| hearing::has_term(&heard, t))
                .map(str::to_string)
                .collect();
            let (voice, speed) = VOICES[out.len() % VOICES.len()];
            let answer_id = format!("speech-{id}-{:03}", out.len() + 1);
            out.push(Answer {
                held_out: corpus::held_out(&answer_id),
                id: answer_id,
                length: target,
                last_line: last_line(scenario, taken[0]),
                vocabulary: scenario.vocabulary.clone(),
                terms,
                text,
                voice,
                speed,
            });
        }
        if !any {
            break;
        }
    }
    out
}

/// A corpus line as a spoken sentence: spoken-style lines often lack the full stop.
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '?', '!']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// The question the interviewer would have asked before the line: its stage's first probe.
fn last_line(scenario: &crate::scenario::Scenario, line: &Case) -> String {
    let stage = line
        .checkpoints
        .first()
        .and_then(|l| scenario.checkpoints.iter().find(|c| c.id == l.id))
        .map(|c| c.stage);
    stage
        .and_then(|s| {
            let plan = scenario.stage(s);
            plan.probes
                .first()
                .map(|p| p.text.clone())
                .or(plan.opening.clone())
        })
        .unwrap_or_else(|| scenario.persona.greeting.clone())
}

/// The figures of one prompt.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Figures {
    pub prompt: String,
    pub answers: usize,
    pub words: usize,
    pub errors: usize,
    /// Errors once a sparse transcript is taken again without the prompt, as casecoach does.
    pub errors_after_retry: usize,
    pub terms: usize,
    pub terms_heard: usize,
    /// Answers that lost more than half their words.
    pub half_lost: usize,
    /// Transcripts the sparse rule caught (words per minute of speech too low).
    pub sparse: usize,
    /// Of `half_lost`, those the rule caught.
    pub half_lost_caught: usize,
    /// Word error rate by answer length: up to 10 s, 10-40 s, over 40 s of audio.
    pub by_length: [(usize, usize); 3],
    pub transcribe_ms: u64,
}

impl Figures {
    pub fn wer(&self) -> f64 {
        ratio(self.errors, self.words)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub split: String,
    pub answers: usize,
    pub audio_seconds: f64,
    pub prompts: Vec<Figures>,
}

/// The last row: the answer as the live loop hears it, in pieces cut at its pauses while it is
/// spoken, then its last stretch, with the prompt casecoach chooses.
const AS_SPOKEN: [(&str, Primer); 2] = [
    ("chosen, in pieces as spoken", Primer::Nothing),
    (
        "chosen, in pieces, each primed with the words before",
        Primer::WordsBefore,
    ),
];

/// Speak every answer and transcribe it with each prompt, and as the live loop does.
pub fn run(
    answers: &[&Answer],
    stt: &mut Stt,
    split: Split,
    progress: &mut dyn FnMut(&str),
) -> Result<Report> {
    let mut figures: Vec<Figures> = Prompt::ALL
        .iter()
        .map(|p| p.name())
        .chain(AS_SPOKEN.map(|p| p.0))
        .map(|name| Figures {
            prompt: name.to_string(),
            ..Figures::default()
        })
        .collect();
    let mut audio_seconds = 0.0;
    for (i, a) in answers.iter().enumerate() {
        let wav = Espeak::new(a.voice, Some(a.speed)).wav(&a.text)?;
        let clip =
            super::audio::decode_bytes(&wav).with_context(|| format!("the speech of {}", a.id))?;
        audio_seconds += clip.seconds();
        let bucket = match clip.seconds() {
            s if s <= 10.0 => 0,
            s if s <= 40.0 => 1,
            _ => 2,
        };
        let reference = hearing::words(&a.text);
        let mut texts = Vec::new();
        for p in Prompt::ALL {
            let started = std::time::Instant::now();
            let text = stt.transcribe(clip.wav()?, &p.text(&a.vocabulary, &a.last_line))?;
            texts.push((Some(p), text, started.elapsed().as_millis() as u64));
        }
        for (_, primer) in AS_SPOKEN {
            let started = std::time::Instant::now();
            let text = as_spoken(stt, &clip, &a.vocabulary, &a.last_line, primer)?;
            texts.push((None, text, started.elapsed().as_millis() as u64));
        }
        let unprompted = texts
            .iter()
            .find(|(p, ..)| *p == Some(Prompt::None))
            .map(|(_, t, _)| t.clone())
            .unwrap_or_default();
        for ((p, text, ms), f) in texts.iter().zip(figures.iter_mut()) {
            let heard = hearing::words(text);
            let errors = hearing::word_errors(&reference, &heard);
            // Counted as `hearing::transcribe` counts, so the retry is the one casecoach makes.
            // (The pieces row has made its own fallback already.)
            let count = crate::cue::word_count;
            let sparse = p.is_some_and(|p| p != Prompt::None)
                && hearing::sparse(count(text), clip.speech_seconds());
            let retried = if sparse && count(&unprompted) > count(text) {
                hearing::word_errors(&reference, &hearing::words(&unprompted))
            } else {
                errors
            };
            let half_lost = heard.len() * 2 < reference.len();
            f.answers += 1;
            f.words += reference.len();
            f.errors += errors;
            f.errors_after_retry += retried;
            f.terms += a.terms.len();
            f.terms_heard += a
                .terms
                .iter()
                .filter(|t| hearing::has_term(&heard, t))
                .count();
            f.half_lost += half_lost as usize;
            f.sparse += sparse as usize;
            f.half_lost_caught += (half_lost && sparse) as usize;
            f.by_length[bucket].0 += errors;
            f.by_length[bucket].1 += reference.len();
            f.transcribe_ms += ms;
        }
        progress(&format!(
            "{}/{} {} ({:.0} s)",
            i + 1,
            answers.len(),
            a.id,
            clip.seconds()
        ));
    }
    Ok(Report {
        split: split.name().to_string(),
        answers: answers.len(),
        audio_seconds: (audio_seconds * 10.0).round() / 10.0,
        prompts: figures,
    })
}

/// What the live loop would make of `clip`: its pieces transcribed as they were cut, then the
/// rest, stitched (`hearing::stitch`); a clip with no cut is transcribed whole, as live.
fn as_spoken(
    stt: &mut Stt,
    clip: &Clip,
    vocabulary: &[String],
    last_line: &str,
    primer: Primer,
) -> Result<String> {
    let prompt = Prompt::chosen(clip.seconds()).text(vocabulary, last_line);
    let cuts = Segmenter::cuts(&clip.samples);
    if cuts.is_empty() {
        return Ok(hearing::transcribe(stt, clip, &prompt)?.text);
    }
    let mut texts = Vec::new();
    let mut from = 0;
    for &to in &cuts {
        let piece = Clip {
            samples: clip.samples[from..to].to_vec(),
        };
        let prompt = primer.prompt(&texts);
        texts.push(stt.transcribe(piece.wav()?, &prompt)?);
        from = to;
    }
    Ok(hearing::stitch(stt, &texts, clip, from, &prompt, primer)?.text)
}

pub fn render(r: &Report) -> String {
    let pct = |a: usize, b: usize| format!("{:.1}%", 100.0 * ratio(a, b));
    let mut out = format!(
        "{} answers ({} split), {:.0} s of speech\n\n\
         | prompt | WER | WER after retry | terms heard | <=10 s | 10-40 s | >40 s | half lost (caught) | sparse | ms per answer |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
        r.answers, r.split, r.audio_seconds
    );
    for f in &r.prompts {
        out.push_str(&format!(
            "| {} | {} | {} | {}/{} | {} | {} | {} | {} ({}) | {} | {} |\n",
            f.prompt,
            pct(f.errors, f.words),
            pct(f.errors_after_retry, f.words),
            f.terms_heard,
            f.terms,
            pct(f.by_length[0].0, f.by_length[0].1),
            pct(f.by_length[1].0, f.by_length[1].1),
            pct(f.by_length[2].0, f.by_length[2].1),
            f.half_lost,
            f.half_lost_caught,
            f.sparse,
            f.transcribe_ms / f.answers.max(1) as u64,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_whole_corpus_lines_of_one_scenario_in_four_lengths() {
        let cases = corpus::load(std::path::Path::new("corpus")).unwrap();
        let scenarios = Scenarios::load().unwrap();
        let answers = answers(&cases, &scenarios, 24);
        assert_eq!(answers.len(), 24);
        for a in &answers {
            let scenario = (a.id.strip_prefix("speech-"))
                .and_then(|rest| rest.rsplit_once('-'))
                .map(|(scenario, _)| scenario)
                .unwrap();
            assert!(scenarios.named(scenario).is_some(), "{}", a.id);
            assert!(!a.last_line.is_empty());
        }
        let words = |i: usize| crate::cue::word_count(&answers[i].text);
        // The lengths take turns: about 14, 40, 80 and 160 words.
        assert!(words(0) >= 14 && words(0) < 60, "{}", words(0));
        assert!(words(3) >= 160, "{}", words(3));
        assert!(answers.iter().any(|a| a.held_out) && answers.iter().any(|a| !a.held_out));
    }
}
