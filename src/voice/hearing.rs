//! What the recogniser makes of a recording: the prompt it is primed with, the transcript of a
//! whole answer (in pieces when long, again without the prompt when it came back far too short),
//! and the word error rate that chooses between prompts (`casecoach eval speech`).
//!
//! Whisper continues its prompt: a prompt full of terms and the interviewer's last words biases
//! it towards "PR-AUC" rather than "pure talk", but it can also make it decide the answer was
//! already said and drop most of it, silently. So the prompt is chosen by measurement, and a
//! transcript with far fewer words than the speech time implies is never taken as it is.

use super::audio::Clip;
use super::live::Transcriber;
use anyhow::Result;

/// ML terms a recogniser would otherwise mishear, sent in its prompt after the scenario's own.
pub const GENERAL_TERMS: &[&str] = &[
    "PR-AUC",
    "ROC-AUC",
    "NDCG",
    "recall at k",
    "XGBoost",
    "LightGBM",
    "SHAP",
    "A/B test",
    "two-tower",
    "feature store",
    "chargebacks",
    "p99 latency",
    "precision",
    "recall",
    "F1",
    "class imbalance",
    "data drift",
    "cross-validation",
];

/// Longest piece of a recording sent in one upload: servers cap uploads (OpenAI at 25 MB,
/// about 13 minutes).
const MAX_UPLOAD_SECONDS: f64 = 120.0;

/// What the recogniser is primed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Prompt {
    /// The scenario's terms and the general ones, then the end of the interviewer's last line
    Line,
    /// The scenario's terms and the general ones
    Terms,
    /// Nothing
    None,
}

impl Prompt {
    pub const ALL: [Prompt; 3] = [Prompt::Line, Prompt::Terms, Prompt::None];

    /// Answers up to this long are primed with the terms; longer ones get no prompt.
    pub const TERMS_UP_TO_SECONDS: f64 = 10.0;

    /// The prompt for a recording of `seconds`, chosen with `casecoach eval speech --tuning`
    /// (27 corpus answers, espeak-ng, Whisper tiny.en): the terms cut the word error rate of
    /// answers up to 10 s from 11% to 4%, but over 40 s they raised it from 20% to 30% and
    /// once dropped half an answer; the interviewer's last words helped nowhere.
    pub fn chosen(seconds: f64) -> Prompt {
        if seconds <= Prompt::TERMS_UP_TO_SECONDS {
            Prompt::Terms
        } else {
            Prompt::None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Prompt::Line => "terms + last line",
            Prompt::Terms => "terms",
            Prompt::None => "none",
        }
    }

    /// The prompt text: the scenario's terms, then the general ones it lacks, then (for `Line`)
    /// the end of the interviewer's last line. Whisper reads about 224 tokens of prompt, so the
    /// terms are capped and the line's end comes last.
    pub fn text(self, scenario_terms: &[String], last_line: &str) -> String {
        if self == Prompt::None {
            return String::new();
        }
        let mut terms: Vec<&str> = scenario_terms.iter().map(String::as_str).collect();
        for &t in GENERAL_TERMS {
            if !terms.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                terms.push(t);
            }
        }
        let mut prompt = String::new();
        for t in terms {
            if prompt.len() + t.len() + 2 > 500 {
                break;
            }
            if !prompt.is_empty() {
                prompt.push_str(", ");
            }
            prompt.push_str(t);
        }
        if self == Prompt::Terms {
            return format!("{prompt}.");
        }
        let chars: Vec<char> = last_line.chars().collect();
        let tail: String = chars[chars.len().saturating_sub(200)..].iter().collect();
        format!("{prompt}. {}", tail.trim()).trim().to_string()
    }
}

/// A recording's transcript, and what the candidate should be told about how it was got.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    pub text: String,
    pub notice: Option<String>,
}

/// Fewer words per minute of speech than this means words were dropped: slow speakers manage
/// about 100 words a minute counting their pauses, more once pauses are left out, as they are
/// here. Below this rate most of the answer is missing.
const SPARSE_WPM: f64 = 60.0;
/// Shorter speech than this is too little to judge a rate from.
const SPARSE_MIN_SECONDS: f64 = 4.0;

/// A transcript far shorter than its speech time implies.
pub fn sparse(words: usize, speech_seconds: f64) -> bool {
    speech_seconds >= SPARSE_MIN_SECONDS && (words as f64) * 60.0 / speech_seconds < SPARSE_WPM
}

/// A whole recording as text: in pieces of at most two minutes, each with `prompt`. When the
/// result is sparse and a prompt was used, the recording is transcribed again without one and
/// the fuller transcript kept, with a notice.
pub fn transcribe(stt: &mut dyn Transcriber, clip: &Clip, prompt: &str) -> Result<Heard> {
    let text = pieces(stt, clip, prompt)?;
    let speech = clip.speech_seconds();
    let count = crate::cue::word_count;
    if prompt.is_empty() || !sparse(count(&text), speech) {
        return Ok(Heard { text, notice: None });
    }
    let again = pieces(stt, clip, "")?;
    Ok(fuller(text, again, speech, "without its prompt"))
}

/// A sparse transcript and another try: the one with more words, and a notice saying how the
/// second was made.
fn fuller(first: String, again: String, speech: f64, how: &str) -> Heard {
    let count = crate::cue::word_count;
    let (n1, n2) = (count(&first), count(&again));
    let kept = if n2 > n1 {
        ""
    } else {
        "; the first transcript is kept"
    };
    Heard {
        notice: Some(format!(
            "(the recogniser gave {n1} words for {speech:.0} s of speech, so the answer was \
             transcribed again {how}: {n2} words{kept})"
        )),
        text: if n2 > n1 { again } else { first },
    }
}

/// Less speech than this in an answer's last stretch is breath or the key's click: sent alone,
/// the recogniser tends to invent a "Thank you." for it.
const TAIL_MIN_SPEECH: f64 = 0.3;

/// An answer transcribed in pieces while it was spoken (`segment::Segmenter`): the pieces'
/// texts in order, then the last stretch of `whole` from sample `tail_from`, joined. When the
/// join is sparse (a piece lost its words), the whole recording is transcribed as `transcribe`
/// does and the fuller text kept, with a notice.
pub fn stitch(
    stt: &mut dyn Transcriber,
    pieces: &[String],
    whole: &Clip,
    tail_from: usize,
    prompt: &str,
    primer: Primer,
) -> Result<Heard> {
    let tail = Clip {
        samples: whole.samples[tail_from.min(whole.samples.len())..].to_vec(),
    };
    let mut texts: Vec<String> = pieces.to_vec();
    if tail.speech_seconds() >= TAIL_MIN_SPEECH {
        let primed = match primer {
            Primer::Nothing => prompt.to_string(),
            Primer::WordsBefore => primer.prompt(pieces),
        };
        texts.push(self::pieces(stt, &tail, &primed)?);
    }
    let text = join(&texts);
    let speech = whole.speech_seconds();
    let count = crate::cue::word_count;
    if !sparse(count(&text), speech) {
        return Ok(Heard { text, notice: None });
    }
    let again = transcribe(stt, whole, prompt)?.text;
    Ok(fuller(text, again, speech, "as a whole"))
}

/// How much of the answer so far primes the next piece, in characters: about the 224 tokens
/// Whisper reads of a prompt, well within.
const PRIMER_CHARS: usize = 200;

/// How a piece of an answer is primed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Primer {
    /// Nothing, as `Prompt::chosen` sends long answers.
    Nothing,
    /// The end of what the pieces before it said, as Whisper primes itself inside one long
    /// recording.
    WordsBefore,
}

impl Primer {
    /// The prompt of the piece after `before`.
    pub fn prompt(self, before: &[String]) -> String {
        if self == Primer::Nothing {
            return String::new();
        }
        let text = join(before);
        let chars: Vec<char> = text.chars().collect();
        let tail: String = chars[chars.len().saturating_sub(PRIMER_CHARS)..]
            .iter()
            .collect();
        // From a word's start.
        match tail.find(' ') {
            Some(i) if chars.len() > PRIMER_CHARS => tail[i + 1..].to_string(),
            _ => tail,
        }
    }
}

/// Transcripts of consecutive stretches as one text.
/// Pieces' texts as one answer (the way `stitch` joins them).
pub fn join(texts: &[String]) -> String {
    texts
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn pieces(stt: &mut dyn Transcriber, clip: &Clip, prompt: &str) -> Result<String> {
    let mut texts = Vec::new();
    for part in clip.chunks(MAX_UPLOAD_SECONDS) {
        texts.push(stt.transcribe(part.wav()?, prompt)?);
    }
    Ok(join(&texts))
}

/// Words as a word error rate compares them: lower case, split at anything but letters and
/// digits, so "PR-AUC" and "PR AUC" are the same two words and punctuation is no error.
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Substitutions, deletions and insertions that turn `reference` into `heard` (word-level
/// Levenshtein distance).
pub fn word_errors(reference: &[String], heard: &[String]) -> usize {
    let mut row: Vec<usize> = (0..=heard.len()).collect();
    for (i, r) in reference.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, h) in heard.iter().enumerate() {
            let cost = if r == h { diagonal } else { diagonal + 1 };
            diagonal = row[j + 1];
            row[j + 1] = cost.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[heard.len()]
}

/// The term's words, in order, somewhere in `heard`.
pub fn has_term(heard: &[String], term: &str) -> bool {
    let t = words(term);
    !t.is_empty() && heard.windows(t.len()).any(|w| w == t.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voice::{fake, speech};

    #[test]
    fn the_prompts_carry_the_terms_and_only_one_carries_the_last_line() {
        let fraud = crate::scenario::load("fraud").unwrap();
        let line = "So which metric would you report?";
        let p = Prompt::Line.text(&fraud.vocabulary, line);
        assert!(p.starts_with("chargeback, PR-AUC,"), "{p}");
        assert!(p.ends_with(line), "{p}");
        // General terms fill in after the scenario's, without repeating one.
        assert!(p.contains("NDCG"));
        assert_eq!(p.matches("PR-AUC").count(), 1, "{p}");
        assert!(p.len() <= 500 + 2 + 200, "{} characters", p.len());
        let t = Prompt::Terms.text(&fraud.vocabulary, line);
        assert!(
            t.starts_with("chargeback, PR-AUC,") && !t.contains("metric would"),
            "{t}"
        );
        assert_eq!(Prompt::None.text(&fraud.vocabulary, line), "");
        // Short answers get the terms; long ones nothing the recogniser could continue.
        assert_eq!(Prompt::chosen(6.0), Prompt::Terms);
        assert_eq!(Prompt::chosen(30.0), Prompt::None);
    }

    fn recogniser(answers: &[&str]) -> (fake::Heard, fake::Requests) {
        let requests = fake::Requests::default();
        let stt = fake::Heard {
            answers: answers.iter().map(|a| a.to_string()).collect(),
            delay: std::time::Duration::ZERO,
            requests: requests.clone(),
        };
        (stt, requests)
    }

    #[test]
    fn a_long_recording_goes_up_in_pieces_and_comes_back_as_one_answer() {
        // Two minutes of speech at a normal rate per piece.
        let part = |n: &str| format!("{n} {}", "word ".repeat(200).trim());
        let parts = [part("first"), part("second"), part("third")];
        let (mut stt, requests) = recogniser(&[&parts[0], &parts[1], &parts[2]]);
        // Five minutes of speech-like tone.
        let heard = transcribe(&mut stt, &speech::tone(300.0), "PR-AUC").unwrap();
        assert_eq!(heard.text, parts.join(" "));
        assert_eq!(heard.notice, None);
        let requests = requests.lock().unwrap();
        assert_eq!(requests.len(), 3, "300 s in pieces of at most 120 s");
        assert!(requests.iter().all(|(prompt, _)| prompt == "PR-AUC"));
    }

    /// `seconds` of speech-like tone, then `silent` seconds of silence.
    fn recording(seconds: f64, silent: f64) -> Clip {
        let mut c = speech::tone(seconds);
        c.samples
            .extend(std::iter::repeat_n(0.0, (silent * 16_000.0) as usize));
        c
    }

    #[test]
    fn pieces_heard_during_the_answer_are_joined_with_its_last_stretch() {
        let whole = recording(30.0, 0.0);
        let (mut stt, requests) = recogniser(&["and the tail of it."]);
        let first = format!("The first piece {}.", "and so on ".repeat(12).trim());
        let pieces = [first.clone(), " The second. ".to_string()];
        let heard = stitch(&mut stt, &pieces, &whole, 25 * 16_000, "", Primer::Nothing).unwrap();
        assert_eq!(
            heard.text,
            format!("{first} The second. and the tail of it.")
        );
        assert_eq!(heard.notice, None);
        // Only the last stretch was sent at the end.
        assert_eq!(requests.lock().unwrap().len(), 1);

        // A last stretch with no speech in it is not sent at all.
        let (mut stt, requests) = recogniser(&["Thank you."]);
        let words = "word ".repeat(40);
        let pieces = [words.clone()];
        let heard = stitch(
            &mut stt,
            &pieces,
            &recording(20.0, 1.0),
            20 * 16_000,
            "",
            Primer::Nothing,
        )
        .unwrap();
        assert_eq!(heard.text, words.trim());
        assert!(requests.lock().unwrap().is_empty());
    }

    #[test]
    fn a_piece_is_primed_with_the_end_of_the_words_before_it_from_a_word_start() {
        let before = [
            "We would label with chargebacks.".to_string(),
            "word ".repeat(60),
        ];
        assert_eq!(Primer::Nothing.prompt(&before), "");
        let p = Primer::WordsBefore.prompt(&before);
        assert!(p.len() <= PRIMER_CHARS && p.len() > 150, "{}", p.len());
        assert!(p.starts_with("word ") && p.ends_with("word"), "{p}");
        // Short text is taken whole; nothing before gives nothing.
        assert_eq!(
            Primer::WordsBefore.prompt(&before[..1]),
            "We would label with chargebacks."
        );
        assert_eq!(Primer::WordsBefore.prompt(&[]), "");
    }

    #[test]
    fn pieces_that_lost_the_answer_give_way_to_the_whole_recording() {
        let full = "word ".repeat(60);
        let (mut stt, requests) = recogniser(&["tail", full.trim()]);
        let pieces = ["".to_string(), "two words".to_string()];
        let heard = stitch(
            &mut stt,
            &pieces,
            &recording(30.0, 0.0),
            25 * 16_000,
            "",
            Primer::Nothing,
        )
        .unwrap();
        assert_eq!(heard.text, full.trim());
        let notice = heard.notice.unwrap();
        assert!(
            notice.contains("3 words for 30 s") && notice.contains("as a whole: 60 words"),
            "{notice}"
        );
        // The tail, then the whole answer once.
        assert_eq!(requests.lock().unwrap().len(), 2);
    }

    #[test]
    fn a_transcript_far_shorter_than_the_speech_is_taken_again_without_the_prompt() {
        // 20 s of speech came back as five words: the prompt ate the answer.
        let full = "we would start from the chargeback labels and weigh recall at a fixed \
                    review budget because analysts can only look at so many cases a day";
        let (mut stt, requests) = recogniser(&["PR-AUC and recall, yes.", full]);
        let heard = transcribe(&mut stt, &speech::tone(20.0), "PR-AUC, recall.").unwrap();
        assert_eq!(heard.text, full);
        let notice = heard.notice.unwrap();
        assert!(
            notice.contains("4 words for 20 s") && notice.contains("without its prompt"),
            "{notice}"
        );
        let prompts: Vec<String> = requests
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.0.clone())
            .collect();
        assert_eq!(prompts, ["PR-AUC, recall.", ""]);

        // A transcript at a normal rate is taken at once; so is a short answer's.
        let (mut stt, requests) = recogniser(&[full]);
        let heard = transcribe(&mut stt, &speech::tone(8.0), "PR-AUC").unwrap();
        assert_eq!((heard.text.as_str(), heard.notice), (full, None));
        assert_eq!(requests.lock().unwrap().len(), 1);
        let (mut stt, _) = recogniser(&["yes"]);
        assert_eq!(
            transcribe(&mut stt, &speech::tone(2.0), "PR-AUC")
                .unwrap()
                .notice,
            None
        );

        // When the second try is no fuller, the first stands, and the candidate is told.
        let (mut stt, _) = recogniser(&["PR-AUC and recall.", "recall."]);
        let heard = transcribe(&mut stt, &speech::tone(20.0), "PR-AUC").unwrap();
        assert_eq!(heard.text, "PR-AUC and recall.");
        assert!(
            heard
                .notice
                .unwrap()
                .contains("the first transcript is kept")
        );
    }

    #[test]
    fn word_errors_count_substitutions_deletions_and_insertions() {
        let w = |s: &str| words(s);
        assert_eq!(
            word_errors(&w("the PR-AUC is low"), &w("the pr auc is low.")),
            0
        );
        assert_eq!(
            word_errors(&w("the pr auc is low"), &w("the pure talk is low")),
            2
        );
        assert_eq!(word_errors(&w("a b c d"), &w("a c d")), 1);
        assert_eq!(word_errors(&w("a b"), &w("a b c d")), 2);
        assert_eq!(word_errors(&w("a b c"), &[]), 3);
        assert!(has_term(&w("we report PR AUC weekly"), "PR-AUC"));
        assert!(!has_term(&w("we report pure talk weekly"), "PR-AUC"));
    }
}
