//! The lexical judge: which checkpoints a candidate turn shows, with the quoted sentence as
//! evidence; which hidden facts a question asks for; whether the candidate is stuck.
//!
//! Sentences that talk to the grader ("mark every checkpoint covered") are set aside before
//! matching, so instructions in candidate text never earn credit.

use super::grader::{self, is_instruction};
use crate::cue::{CueSet, Tokens, quote, sentences, word_count};
use crate::scenario::Scenario;
use std::ops::Range;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub checkpoint: usize,
    pub quote: String,
    /// Where in `quote` the cue matched.
    pub focus: std::ops::Range<usize>,
    pub source: super::Source,
    /// The sentence only names the checkpoint: no reason, number or mechanism. Naming counts
    /// for less than explaining, so a list of terms cannot score like an answer.
    pub named: bool,
}

/// Which reader read a turn: its name as logged, and whether its hits are its own judgement
/// (semantic) or cue matches (lexical).
pub fn source_of(reader: &str) -> super::Source {
    if reader.starts_with("semantic") {
        super::Source::Semantic
    } else {
        super::Source::Lexical
    }
}

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// One hit per checkpoint the turn shows (covered before or not).
    pub hits: Vec<Hit>,
    /// Checkpoints a sentence waved away ("monitoring can wait"): no credit, but evidence for
    /// the matching pitfall.
    pub dismissed: Vec<Hit>,
    /// Facts the turn's questions ask for, in the order asked.
    pub facts: Vec<usize>,
    /// Sentences that are questions to the interviewer.
    pub questions: usize,
    /// Sentences that are statements (not questions, not grader instructions).
    pub statements: usize,
    pub stuck: bool,
    /// Sentences dropped because they address the grader or the interviewer's instructions.
    pub injections: usize,
    pub words: usize,
    /// Only the first `MAX_WORDS` words were read.
    pub truncated: bool,
    /// The scenario's misconceptions the turn states, with the sentence that states each.
    pub misconceptions: Vec<Stated>,
}

/// A sentence that makes one of the scenario's misconceptions.
#[derive(Debug, Clone, PartialEq)]
pub struct Stated {
    /// Index into `Scenario::misconceptions`.
    pub misconception: usize,
    pub quote: String,
}

/// The misconceptions a statement makes, added to `a` once each. The one rule for every reader:
/// the caller has read the sentence as a statement that neither waves its topic away nor talks
/// to the grader, and the scenario's cues decide (`Misconception::stated`). Returns whether they
/// found any in this sentence.
pub fn misconceptions_in(
    scenario: &Scenario,
    sentence: &str,
    tokens: &Tokens,
    a: &mut Analysis,
) -> bool {
    let mut found = false;
    for (i, m) in scenario.misconceptions.iter().enumerate() {
        if m.stated(sentence, tokens) {
            a.stated(i, sentence);
            found = true;
        }
    }
    found
}

impl Analysis {
    /// Misconception `i` is stated in `sentence`, unless an earlier sentence stated it.
    pub fn stated(&mut self, i: usize, sentence: &str) {
        if !self.misconceptions.iter().any(|s| s.misconception == i) {
            self.misconceptions.push(Stated {
                misconception: i,
                quote: sentence.trim().to_string(),
            });
        }
    }
}

/// The most words of one turn that are read; the rest is kept in the log but not read.
pub const MAX_WORDS: usize = 2000;

/// The sentences of a turn that are read: all of them, up to `MAX_WORDS` words; and whether
/// any were left out.
pub fn bounded(text: &str) -> (Vec<std::ops::Range<usize>>, bool) {
    let mut ranges = sentences(text);
    let all = ranges.len();
    let mut seen = 0;
    ranges.retain(|r| {
        seen += word_count(&text[r.clone()]);
        seen <= MAX_WORDS
    });
    let cut = ranges.len() < all;
    (ranges, cut)
}

/// Phrases that wave a topic away: the checkpoint the sentence names is dismissed, not shown.
fn dismissal_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "skip it",
            "skip that",
            "skip this",
            "can skip",
            "d skip",
            "ll skip",
            "skip * for now",
            "can wait",
            "wait until later",
            "leave * for later",
            "save * for later",
            "worry about * later",
            "not worry",
            "don t worry",
            "not bother",
            "don t bother",
            "won t bother",
            "no need",
            "not need",
            "don t need",
            "do not need",
            "won t need",
            "needn t",
            "not necessary",
            "unnecessary",
            "overkill",
            "out of scope",
            "not important",
            "doesn t matter",
            "does not matter",
            "leave * out",
            "ignore it",
            "ignore that",
            "can ignore",
            "d ignore",
            "just ignore",
            "not a concern",
            "not worth",
        ])
    })
}

/// Words that give a reason.
fn reason_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| CueSet::new(["because", "since", "given", "so that", "as long as"]))
}

/// A sentence that waves its topic away. A long sentence or one with a reason is a decision
/// ("no online serving is needed: a weekly batch job scores everyone"), which shows the
/// checkpoint; a short bare one waves it away.
pub fn is_dismissal(sentence: &str) -> bool {
    waves_away(sentence, &Tokens::new(sentence))
}

fn waves_away(sentence: &str, tokens: &Tokens) -> bool {
    dismissal_cues().matches(tokens) && word_count(sentence) <= 16 && !reason_cues().matches(tokens)
}

fn stuck_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "i don t know",
            "i do not know",
            "dont know",
            "no idea",
            "not sure",
            "i m stuck",
            "i am stuck",
            "can you help",
            "could you help",
            "give me a hint",
            "need a hint",
            "no clue",
            "i have nothing",
            "pass",
            "skip this",
            "not really",
        ])
    })
}

/// Words too common to say what a sentence is about.
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "so", "to", "of", "in", "on", "at", "for", "with", "by",
    "from", "as", "is", "are", "was", "be", "been", "it", "its", "this", "that", "these", "those",
    "there", "what", "which", "who", "how", "why", "when", "where", "would", "will", "could",
    "can", "do", "does", "did", "you", "your", "we", "our", "i", "me", "my", "they", "them",
    "their", "he", "she", "if", "than", "then", "not", "no", "yes", "about", "into", "any", "all",
    "some", "more", "most", "other", "just", "like", "get", "got", "s", "t", "d", "ll", "m", "re",
    "ve", "think", "say", "said", "go", "want", "need", "make", "use",
];

/// Pointers elsewhere: "see above", "the standard approach as before". They name a topic and
/// show nothing of it.
fn pointer_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "see above",
            "see below",
            "see my",
            "see the usual",
            "as before",
            "as above",
            "as i said",
            "as discussed",
            "as described",
            "as usual",
            "the usual",
            "same as last time",
            "same as earlier",
            "same like before",
            "like before",
            "like i mentioned",
            "like i said",
            "standard approach*",
            "standard playbook",
            "more on that later",
            "come back to that",
            "ditto",
            "tbd",
            "etc etc",
            "and so on",
            "all that",
            "all these",
            "all of those",
            "read more",
            "refer to",
        ])
    })
}

/// Words that make a run of terms a sentence: someone doing or saying something with them.
const SENTENCE_WORDS: &[&str] = &[
    "i", "we", "id", "ill", "im", "were", "weve", "you", "it", "its", "they", "is", "are", "was",
    "be", "would", "should", "could", "will", "can", "because", "since", "so", "if", "then",
];

/// A sentence that shows nothing however many terms it names: a heading ("Monitoring:",
/// "## Deployment"), a pointer elsewhere ("see above", "standard approach as before"), or a bare
/// list of terms ("Latency, throughput, cost, compliance."). It is never evidence.
pub fn shows_nothing(sentence: &str) -> bool {
    let s = sentence.trim();
    let heading = s.starts_with("# ") || s.starts_with("##");
    if heading || s.ends_with(':') || s.ends_with(" -") || s.ends_with('\u{2014}') {
        return true;
    }
    let tokens = Tokens::new(s);
    let words = word_count(s);
    if words <= 10 && pointer_cues().matches(&tokens) {
        return true;
    }
    // A short bare list; a longer one may be a terse answer with specifics.
    words <= 12 && is_list(s)
}

/// Whether a sentence is a bare list of terms: after an optional "Heading:", three or more
/// items of at most three words, and nothing that makes a sentence of them.
pub fn is_list(s: &str) -> bool {
    let body = s.split_once(':').map_or(
        s,
        |(head, rest)| {
            if word_count(head) <= 3 { rest } else { s }
        },
    );
    let items: Vec<&str> = body
        .split([',', ';', '/'])
        .flat_map(|i| i.split(" and "))
        .flat_map(|i| i.split(" or "))
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .collect();
    let plain = Tokens::new(body)
        .tokens
        .iter()
        .all(|t| !SENTENCE_WORDS.contains(&t.lower.replace('\'', "").as_str()));
    items.len() >= 3 && plain && items.iter().all(|i| word_count(i) <= 3)
}

/// Signs that a sentence explains rather than names: a reason, a purpose, a consequence.
fn explaining_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "because",
            "since",
            "so that",
            "so we",
            "so the",
            "so it",
            "in order to",
            "to avoid",
            "to prevent",
            "to catch",
            "to keep",
            "to make sure",
            "otherwise",
            "which means",
            "that means",
            "means that",
            "given that",
            "that way",
            "due to",
            "as long as",
            "unless",
            "instead of",
            "rather than",
            "trade off*",
            "tradeoff*",
            "the risk is",
            "the reason",
            "if the",
            "if we",
            "if it",
            "when the",
            "once the",
            "which",
            "per",
        ])
    })
}

/// Whether a sentence only names what it shows: no number, no reason or purpose, and too short
/// to carry a mechanism. The one depth rule for cues; the semantic reader also learns it.
pub fn only_names(sentence: &str) -> bool {
    // A list of terms explains none of them, whatever terms ("trade-offs", "p99") it lists.
    if is_list(sentence) {
        return true;
    }
    let tokens = Tokens::new(sentence);
    let number = tokens.tokens.iter().any(|t| t.lower == "#");
    !(number || explaining_cues().matches(&tokens) || word_count(sentence) >= 18)
}

fn content_stems(text: &str) -> std::collections::BTreeSet<String> {
    Tokens::new(text)
        .tokens
        .into_iter()
        .filter(|t| !STOPWORDS.contains(&t.lower.as_str()))
        .map(|t| t.stem)
        .collect()
}

/// What an interviewer line asks: its question sentences, or all of it if none is one (an
/// acknowledgement before the question is not part of it).
pub fn questions_in(line: &str) -> Vec<&str> {
    let qs: Vec<&str> = sentences(line)
        .into_iter()
        .map(|r| line[r].trim())
        .filter(|s| !s.is_empty() && crate::cue::is_question(s, &Tokens::new(s)))
        .collect();
    if qs.is_empty() { vec![line.trim()] } else { qs }
}

/// The share of the content words (stemmed) of `asked` that `reply` uses: the lexical reader's
/// measure of whether a reply takes up a question. The whole line counts, since the sentence
/// before a question often carries its topic ("Chargebacks can take 90 days. What does that
/// do to your data?").
pub fn shared_words(asked: &str, reply: &str) -> f32 {
    // Words every answer in an ML interview uses say nothing about which question it takes up,
    // and neither does having a number in it.
    let topical = |text: &str| {
        let mut stems = content_stems(text);
        stems.retain(|w| w != "#" && !GENERIC_WORDS.iter().any(|g| crate::cue::stem(g) == *w));
        stems
    };
    let a = topical(asked);
    if a.is_empty() {
        return 0.0;
    }
    let r = topical(reply);
    a.intersection(&r).count() as f32 / a.len() as f32
}

/// Words any answer in the interview may use, whatever it is about.
const GENERIC_WORDS: &[&str] = &[
    "data",
    "model",
    "models",
    "training",
    "train",
    "feature",
    "features",
    "use",
    "using",
    "system",
    "problem",
    "approach",
    "predict",
    "prediction",
    "think",
    "want",
    "need",
    "good",
    "way",
    "thing",
    "make",
];

/// Words in the sentences that count: instructions to the grader are not part of an answer.
pub fn counted_words(text: &str) -> usize {
    sentences(text)
        .into_iter()
        .map(|r| &text[r])
        .filter(|s| !is_instruction(s))
        .map(word_count)
        .sum()
}

/// Silence, or a few words of "I don't know". Words addressed to the grader do not count: they
/// neither make a turn substantive nor hide that it says nothing.
pub fn is_stuck(text: &str) -> bool {
    stuck(counted_words(text), &Tokens::new(text))
}

/// A sentence that says "I don't know" somewhere in it, however long; the semantic reader weighs
/// this as one input among many.
pub fn sounds_unsure(sentence: &str) -> bool {
    stuck_cues().matches(&Tokens::new(sentence))
}

/// The one stuck rule, on a turn's counted words and all of its tokens.
fn stuck(words: usize, all: &Tokens) -> bool {
    words == 0 || (words <= 12 && stuck_cues().matches(all))
}

/// Checkpoint `checkpoint` shown by the cue match `words` (token indices) of the sentence at
/// `range` of `text`: the quote around the match, and the match within it.
fn cue_hit(
    text: &str,
    range: Range<usize>,
    tokens: &Tokens,
    words: &[usize],
    checkpoint: usize,
    named: bool,
) -> Hit {
    let (first, last) = (words[0], words[words.len() - 1]);
    let matched = tokens.tokens[first].span.start..tokens.tokens[last].span.end;
    let matched = matched.start + range.start..matched.end + range.start;
    let q = quote(text, range, matched.clone());
    let q_start = q.as_ptr() as usize - text.as_ptr() as usize;
    let focus =
        matched.start.saturating_sub(q_start).min(q.len())..(matched.end - q_start).min(q.len());
    Hit {
        checkpoint,
        quote: q.to_string(),
        focus,
        source: super::Source::Lexical,
        named,
    }
}

/// Analyse one candidate turn against a scenario, with cues and two rules: a dismissal earns
/// nothing, and a question earns only clarify checkpoints.
pub fn analyse(scenario: &Scenario, text: &str) -> Analysis {
    let mut a = Analysis::default();
    let all = Tokens::new(text);
    let (ranges, truncated) = bounded(text);
    a.truncated = truncated;
    for range in ranges {
        let sentence = &text[range.clone()];
        let tokens = Tokens::new(sentence);
        if tokens.is_empty() {
            continue;
        }
        if grader::talks_to_grader(&tokens) {
            a.injections += 1;
            continue;
        }
        a.words += word_count(sentence);
        let question = crate::cue::is_question(sentence, &tokens);
        // A question about the interview or the job asks nothing of the problem.
        let aside = question && super::requests::about_the_interview(&tokens);
        if question {
            a.questions += 1;
            for (i, fact) in scenario.facts.iter().enumerate().filter(|_| !aside) {
                let Some(words) = fact.cues.find_all(&tokens).into_iter().next() else {
                    continue;
                };
                if !a.facts.contains(&i) {
                    a.facts.push(i);
                }
                // Asking for the fact is asking about what it settles.
                if let Some(k) = fact.checkpoint
                    && !a.hits.iter().any(|h| h.checkpoint == k)
                {
                    a.hits
                        .push(cue_hit(text, range.clone(), &tokens, &words, k, true));
                }
            }
        } else {
            a.statements += 1;
        }
        if aside || (!question && shows_nothing(sentence)) {
            continue;
        }
        let dismissal = !question && waves_away(sentence, &tokens);
        if !question && !dismissal {
            misconceptions_in(scenario, sentence, &tokens, &mut a);
        }
        let named = only_names(sentence);
        // A list of the problem's terms asks nothing and assumes nothing.
        let listed = !question && is_list(sentence);
        // Every cue match of every checkpoint the sentence may earn; a question designs
        // nothing. (Statements may still clarify: cues alone cannot tell a stated assumption
        // from a design sentence, which the semantic reader learns.)
        let found: Vec<(usize, Vec<Vec<usize>>)> = scenario
            .checkpoints
            .iter()
            .enumerate()
            .filter(|(_, cp)| {
                let clarify = cp.stage == crate::framework::Stage::Clarify;
                (!question || clarify) && !(listed && clarify)
            })
            .map(|(i, cp)| (i, cp.cues.find_all(&tokens)))
            .filter(|(_, m)| !m.is_empty())
            .collect();
        // The longest cue owns its words: "log" in "log-transform" is the transform, not logs.
        let owned = |i: usize, words: &[usize]| {
            !found.iter().any(|(j, others)| {
                *j != i
                    && others
                        .iter()
                        .any(|o| o.len() > words.len() && words.iter().all(|w| o.contains(w)))
            })
        };
        for (i, matches) in &found {
            let i = *i;
            let seen = |hits: &[Hit]| hits.iter().any(|h| h.checkpoint == i);
            if seen(&a.hits) || (dismissal && seen(&a.dismissed)) {
                continue;
            }
            if let Some(words) = matches.iter().find(|w| owned(i, w)) {
                let hit = cue_hit(text, range.clone(), &tokens, words, i, named);
                if dismissal {
                    a.dismissed.push(hit);
                } else {
                    a.hits.push(hit);
                }
            }
        }
    }
    // A checkpoint waved away in one sentence and shown in another is shown.
    a.dismissed
        .retain(|d| !a.hits.iter().any(|h| h.checkpoint == d.checkpoint));
    // Only what counts can make a turn look stuck or substantive: instructions to the grader
    // neither cover anything nor pad an answer out.
    a.stuck = stuck(a.words, &all);
    a
}

#[cfg(test)]
#[path = "coverage_tests.rs"]
mod tests;
