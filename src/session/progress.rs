//! Numbers across a session's events or across sessions: the timings table, the per-stage
//! trend, the weakest stage.

use super::store::Summary;
use crate::framework::StageMap;
use crate::interview::{Event, Role};

/// Per candidate answer: its voice numbers and the model reply's timings, as one table.
pub fn timings(events: &[Event]) -> String {
    let mut rows: Vec<(usize, Option<String>, Option<String>)> = Vec::new();
    let mut waits: Vec<(usize, String)> = Vec::new();
    let mut guarded: Vec<(usize, &'static str)> = Vec::new();
    let mut last_candidate = 0;
    for e in events {
        match e {
            Event::Turn {
                n,
                role: Role::Candidate,
                ..
            } => {
                last_candidate = *n;
                if !rows.iter().any(|r| r.0 == *n) {
                    rows.push((*n, None, None));
                }
            }
            Event::Voice { note: v, .. } => {
                rows.push((
                    v.turn,
                    Some(format!(
                        "{:>6.1}s {:>6.1}s {:>5.1}s {:>5.0} {:>7} {:>9}ms",
                        v.audio_seconds,
                        v.speech_seconds,
                        v.longest_pause,
                        v.words_per_minute,
                        v.fillers,
                        v.transcribe_ms
                    )),
                    None,
                ));
            }
            Event::Usage {
                first_token_ms: Some(f),
                total_ms,
                completion_tokens,
                ..
            } => {
                if let Some(r) = rows.iter_mut().find(|r| r.0 == last_candidate) {
                    r.2 = Some(format!(
                        "{f:>7}ms {:>7}ms {completion_tokens:>6}",
                        total_ms.unwrap_or(0)
                    ));
                }
            }
            Event::Latency {
                turn,
                transcript_ms,
                first_token_ms,
                first_audio_ms,
            } => {
                let ms = |v: &Option<u64>| v.map_or("-".to_string(), |v| format!("{v}ms"));
                waits.push((
                    *turn,
                    format!(
                        "{:>10} {:>11} {:>11}",
                        format!("{transcript_ms}ms"),
                        ms(first_token_ms),
                        ms(first_audio_ms)
                    ),
                ));
            }
            Event::Guarded { turn, fault, .. } => guarded.push((*turn, fault.name())),
            _ => {}
        }
    }
    let mut o = String::from(
        "turn  recording  speech pause   wpm fillers transcribe  1st-token     line tokens\n",
    );
    for (turn, voice, model) in rows {
        let v = voice.unwrap_or_else(|| format!("{:>46}", "typed"));
        let m = model.unwrap_or_else(|| format!("{:>24}", "-"));
        o += &format!("{turn:>4} {v} {m}\n");
    }
    if !waits.is_empty() {
        o += "\nFrom the release of the talk key\nturn transcript 1st-token  1st-sound\n";
        for (turn, w) in waits {
            o += &format!("{turn:>4} {w}\n");
        }
    }
    if !guarded.is_empty() {
        o += &format!(
            "\nModel lines the guard replaced with the scripted words: {}\n",
            guarded.len()
        );
        for (turn, why) in guarded {
            o += &format!("{turn:>4} {why}\n");
        }
    }
    o
}

/// Average score per stage over finished sessions (stages never assessed are left out).
pub fn stage_averages(sessions: &[Summary]) -> StageMap<Option<f64>> {
    StageMap::from_fn(|stage| {
        let scores: Vec<f64> = sessions
            .iter()
            .filter_map(|s| s.stage_scores.as_ref()?[stage])
            .map(f64::from)
            .collect();
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
    })
}

/// The stage with the lowest average score, if any session has been scored and one stage is
/// weaker than the best.
pub fn weakest_stage(sessions: &[Summary]) -> Option<crate::framework::Stage> {
    let avg = stage_averages(sessions);
    let scored: Vec<(crate::framework::Stage, f64)> = crate::framework::Stage::ALL
        .into_iter()
        .filter_map(|s| avg[s].map(|a| (s, a)))
        .collect();
    let best = scored.iter().map(|x| x.1).fold(f64::MIN, f64::max);
    scored
        .into_iter()
        .filter(|x| x.1 < best)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(s, _)| s)
}

/// Scores 0-4 as a one-character bar; a dot for not assessed.
pub fn spark(score: Option<u8>) -> char {
    match score {
        None => '\u{b7}',
        Some(0) => '\u{2581}',
        Some(1) => '\u{2582}',
        Some(2) => '\u{2584}',
        Some(3) => '\u{2586}',
        Some(_) => '\u{2588}',
    }
}
