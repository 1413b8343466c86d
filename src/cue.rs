//! Cue phrases and the lexical matcher behind coverage, fact lookup and stuck detection.
//!
//! A cue is a short phrase ("class imbalance", "p99", "ignore * instructions"). Text and cue are
//! tokenised the same way (lower case, digit runs folded to `#`, light stemming), so "classes are
//! imbalanced" matches "class imbalance" and "p95" matches "p99". Numbers said in words ("point
//! one five", "two thousand") are one number, like "0.15" and "2,000". Consecutive cue words may
//! have a few other words between them; a lone `*` in a cue widens that gap, and a word ending in
//! `*` matches the forms of a word that starts so ("label*": labels, labelled, labeling), not any
//! word that happens to ("bot*" is not "both").

use std::ops::Range;

/// Words allowed between two consecutive cue words.
const GAP: usize = 3;
/// Words allowed where a cue says `*`.
const WIDE_GAP: usize = 8;

/// One word of a text: its normal form and where it stands in the original.
#[derive(Debug, Clone)]
pub struct Token {
    pub stem: String,
    pub lower: String,
    pub span: Range<usize>,
}

/// A text split into words, remembering byte offsets so a match can be quoted verbatim.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub tokens: Vec<Token>,
}

impl Tokens {
    pub fn new(text: &str) -> Tokens {
        let mut tokens = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            // '#' is a word character so that cues can say "#% fraud" for "0.1% fraud".
            if c.is_alphanumeric() || c == '#' {
                if start.is_none() {
                    start = Some(i);
                }
            } else if let Some(s) = start.take() {
                tokens.push(make_token(&text[s..i], s..i));
            }
        }
        if let Some(s) = start {
            tokens.push(make_token(&text[s..], s..text.len()));
        }
        Tokens {
            tokens: join_numbers(text, tokens),
        }
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

fn make_token(word: &str, span: Range<usize>) -> Token {
    let lower = fold_digits(&word.to_lowercase());
    Token {
        stem: stem(&lower),
        lower,
        span,
    }
}

/// Number words: said aloud, "0.15" is "point one five" and "2,000" is "two thousand".
const NUMBER_WORDS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "billion",
    "half",
    "dozen",
];

/// A number written or said: a digit run ("#") or a number word. "one" and "half" alone are
/// more often words than numbers ("one thing", "half the traffic"), so they count only as part
/// of a longer number.
fn number_kind(t: &Token) -> Option<bool> {
    if t.lower == "#" {
        Some(true)
    } else if NUMBER_WORDS.contains(&t.lower.as_str()) {
        Some(!matches!(t.lower.as_str(), "one" | "half"))
    } else {
        None
    }
}

/// Runs of number tokens become one `#` token spanning the run: "0.15", "2,000", "zero point
/// one five" and "two thousand" are each one number. Tokens of a run stand next to each other,
/// apart only by white space or by one '.' or ','; "point" joins two number words.
fn join_numbers(text: &str, tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let mut end = i;
        let mut strong = number_kind(&tokens[i]) == Some(true);
        if number_kind(&tokens[i]).is_some() || tokens[i].lower == "point" {
            let mut j = i;
            while j + 1 < tokens.len() {
                let between = &text[tokens[j].span.end..tokens[j + 1].span.start];
                let tight = between.trim().is_empty() || matches!(between, "." | ",");
                let next = &tokens[j + 1];
                let joins = number_kind(next).is_some()
                    || (next.lower == "point" && tokens.get(j + 2).and_then(number_kind).is_some());
                if !tight || !joins {
                    break;
                }
                j += 1;
                if number_kind(next).is_some() {
                    end = j;
                }
            }
            strong |= end > i;
            // A run that starts with "point" needs a number after it.
            if tokens[i].lower == "point" && end == i {
                strong = false;
            }
        }
        if strong {
            let span = tokens[i].span.start..tokens[end].span.end;
            out.push(Token {
                stem: "#".into(),
                lower: "#".into(),
                span,
            });
            i = end + 1;
        } else {
            out.push(tokens[i].clone());
            i += 1;
        }
    }
    out
}

/// Digit runs become one `#`, so "p99" ~ "p95" and "100ms" ~ "50ms".
fn fold_digits(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut in_digits = false;
    for c in word.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// A deliberately light stemmer: one suffix off, British -ise spellings folded to -iz, a doubled
/// final consonant undone ("labelled" -> "label"). Cue and text go through the same function, so
/// it only has to be consistent, not linguistically right.
pub fn stem(word: &str) -> String {
    const RULES: &[(&str, &str)] = &[
        ("isations", "iz"),
        ("izations", "iz"),
        ("isation", "iz"),
        ("ization", "iz"),
        ("ations", ""),
        ("ation", ""),
        ("ising", "iz"),
        ("ised", "iz"),
        ("ise", "iz"),
        ("ness", ""),
        ("ings", ""),
        ("ing", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("sses", "ss"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("xes", "x"),
        ("ed", ""),
        ("ly", ""),
        ("es", "e"),
        ("s", ""),
    ];
    if word.chars().count() <= 3 {
        return word.to_string();
    }
    let mut out = word.to_string();
    for (suffix, replacement) in RULES {
        if let Some(base) = word.strip_suffix(suffix) {
            if base.chars().count() < 3 {
                continue;
            }
            if *suffix == "s" && (base.ends_with('s') || base.ends_with('u') || base.ends_with('i'))
            {
                continue;
            }
            out = format!("{base}{replacement}");
            let undouble = matches!(*suffix, "ed" | "ing" | "ings");
            if undouble {
                let b = out.as_bytes();
                let n = b.len();
                if n >= 4 && b[n - 1] == b[n - 2] && b"lptnmgrbd".contains(&b[n - 1]) {
                    out.pop();
                }
            }
            break;
        }
    }
    if out.len() > 4 && out.ends_with('e') {
        out.pop();
    }
    out
}

/// Why a cue text cannot work as written, if it cannot.
pub fn problem(text: &str) -> Option<String> {
    let tokens = Tokens::new(text);
    if tokens.is_empty() {
        return Some(format!("cue '{text}' has no words"));
    }
    // Digits match any digits, so a cue of numbers alone would match every number said.
    if tokens
        .tokens
        .iter()
        .all(|t| t.stem.chars().all(|c| c == '#'))
    {
        return Some(format!(
            "cue '{text}' is only numbers, which match any number; add a word (\"2,000 tps\")"
        ));
    }
    text.split_whitespace()
        .find(|w| *w != "*" && w.trim_end_matches('*').contains('*'))
        .map(|w| format!("cue '{text}': '*' may only end a word ('{w}') or stand alone"))
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Word(String),
    Prefix(String),
    Wide,
}

/// A compiled cue phrase.
#[derive(Debug, Clone)]
pub struct Cue {
    pub text: String,
    parts: Vec<Part>,
}

impl Cue {
    /// Compile a cue. Returns `None` for a cue with no words at all.
    pub fn new(text: &str) -> Option<Cue> {
        let mut parts = Vec::new();
        for raw in text.split_whitespace() {
            if raw == "*" {
                if !parts.is_empty() && parts.last() != Some(&Part::Wide) {
                    parts.push(Part::Wide);
                }
                continue;
            }
            let prefix = raw.ends_with('*');
            let words = Tokens::new(raw.trim_end_matches('*'));
            let n = words.tokens.len();
            for (i, t) in words.tokens.into_iter().enumerate() {
                if prefix && i + 1 == n {
                    parts.push(Part::Prefix(t.lower));
                } else {
                    parts.push(Part::Word(t.stem));
                }
            }
        }
        while parts.last() == Some(&Part::Wide) {
            parts.pop();
        }
        // Numbers are one token in text however written ("0.1", "zero point one"), so
        // consecutive numbers of a cue ("0 # percent") are one too.
        let hash = Part::Word("#".into());
        parts.dedup_by(|b, a| *a == hash && *b == hash);
        if parts.is_empty() {
            return None;
        }
        Some(Cue {
            text: text.to_string(),
            parts,
        })
    }

    /// The first match in `tokens`, as a range of token indices.
    pub fn find(&self, tokens: &Tokens) -> Option<Range<usize>> {
        let toks = &tokens.tokens;
        let first = &self.parts[0];
        (0..toks.len())
            .filter(|&i| part_matches(first, &toks[i]))
            .find_map(|i| self.extend(toks, i).map(|end| i..end + 1))
    }

    /// Every match, one for each word a match can start at: the token indices of the words
    /// the cue's words matched (not the words in its gaps).
    pub fn find_all(&self, tokens: &Tokens) -> Vec<Vec<usize>> {
        let toks = &tokens.tokens;
        (0..toks.len())
            .filter(|&i| part_matches(&self.parts[0], &toks[i]))
            .filter_map(|i| self.words(toks, i))
            .collect()
    }

    /// The matched words of a match starting at `start`, if there is one.
    fn words(&self, toks: &[Token], start: usize) -> Option<Vec<usize>> {
        let mut at = start;
        let mut out = vec![start];
        let mut gap = GAP;
        for part in &self.parts[1..] {
            if *part == Part::Wide {
                gap = WIDE_GAP;
                continue;
            }
            let limit = (at + 1 + gap + 1).min(toks.len());
            at = (at + 1..limit).find(|&j| part_matches(part, &toks[j]))?;
            out.push(at);
            gap = GAP;
        }
        Some(out)
    }

    /// Greedy extension from a matched first word; returns the index of the last matched token.
    fn extend(&self, toks: &[Token], start: usize) -> Option<usize> {
        let mut at = start;
        let mut gap = GAP;
        for part in &self.parts[1..] {
            if *part == Part::Wide {
                gap = WIDE_GAP;
                continue;
            }
            let limit = (at + 1 + gap + 1).min(toks.len());
            at = (at + 1..limit).find(|&j| part_matches(part, &toks[j]))?;
            gap = GAP;
        }
        Some(at)
    }
}

fn part_matches(part: &Part, token: &Token) -> bool {
    match part {
        Part::Word(s) => token.stem == *s,
        Part::Prefix(p) => spellings(p).iter().any(|p| {
            token
                .lower
                .strip_prefix(p.as_str())
                .is_some_and(|rest| inflects(p, rest))
        }),
        Part::Wide => true,
    }
}

/// Endings that make another form of a word: what may follow a `*` cue's stem. "bot*" takes
/// "bots" but not "both"; "mode*" takes "modes" but not "model".
const ENDINGS: &[&str] = &[
    "",
    "s",
    "es",
    "e",
    "ed",
    "d",
    "ing",
    "ings",
    "er",
    "ers",
    "or",
    "ors",
    "ory",
    "ion",
    "ions",
    "ation",
    "ations",
    "ization",
    "izations",
    "isation",
    "isations",
    "zation",
    "sation",
    "ize",
    "ise",
    "ized",
    "ised",
    "izes",
    "ises",
    "izing",
    "ising",
    "izer",
    "iser",
    "ze",
    "se",
    "zed",
    "sed",
    "zing",
    "sing",
    "zer",
    "ser",
    "ate",
    "ated",
    "ates",
    "ating",
    "ator",
    "ators",
    "ity",
    "ities",
    "ility",
    "ability",
    "abilities",
    "able",
    "ably",
    "ible",
    "le",
    "ly",
    "ally",
    "ically",
    "ic",
    "al",
    "ment",
    "ments",
    "ness",
    "ive",
    "ively",
    "y",
    "ies",
    "ied",
    "ier",
    "ure",
    "ures",
    "ual",
    "ually",
    "age",
    "ification",
    "ifications",
    "ifier",
    "ifiers",
    "ify",
    "sis",
    "ses",
    "st",
    "sts",
    "r",
    "ur",
    "ural",
    "ue",
    "ues",
    "th",
    "n",
    "ster",
    "sters",
];

/// A cue stem and its other spelling: British -is-/-ys- for American -iz-/-yz- ("normaliz*"
/// takes "normalise"), and the other way round for a stem that ends in it ("randomis*").
fn spellings(stem: &str) -> Vec<String> {
    let mut out = vec![stem.to_string()];
    let other = if stem.contains("iz") || stem.contains("yz") {
        stem.replace("iz", "is").replace("yz", "ys")
    } else if let Some(base) = stem.strip_suffix("is") {
        format!("{base}iz")
    } else {
        return out;
    };
    out.push(other);
    out
}

/// Whether `rest`, following the cue stem `stem`, makes a form of the same word; a doubled
/// final consonant is allowed before the ending ("label*" takes "labelling").
fn inflects(stem: &str, rest: &str) -> bool {
    if ENDINGS.contains(&rest) {
        return true;
    }
    let last = stem.chars().last();
    let mut chars = rest.chars();
    chars
        .next()
        .is_some_and(|c| Some(c) == last && c.is_alphabetic())
        && ["ed", "ing", "ings", "er", "ers"].contains(&chars.as_str())
}

/// A set of cues; matches if any cue does.
#[derive(Debug, Clone, Default)]
pub struct CueSet {
    pub cues: Vec<Cue>,
}

impl CueSet {
    pub fn new<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> CueSet {
        CueSet {
            cues: texts
                .into_iter()
                .filter_map(|t| Cue::new(t.as_ref()))
                .collect(),
        }
    }

    pub fn extend<S: AsRef<str>>(&mut self, texts: impl IntoIterator<Item = S>) {
        self.cues
            .extend(texts.into_iter().filter_map(|t| Cue::new(t.as_ref())));
    }

    /// The earliest match of any cue, with the cue that made it.
    pub fn find(&self, tokens: &Tokens) -> Option<(Range<usize>, &Cue)> {
        self.cues
            .iter()
            .filter_map(|c| c.find(tokens).map(|r| (r, c)))
            .min_by_key(|(r, _)| (r.start, r.end))
    }

    pub fn matches(&self, tokens: &Tokens) -> bool {
        self.cues.iter().any(|c| c.find(tokens).is_some())
    }

    /// Every match of every cue (the token indices of its matched words), in order of where
    /// they start.
    pub fn find_all(&self, tokens: &Tokens) -> Vec<Vec<usize>> {
        let mut all: Vec<Vec<usize>> = self.cues.iter().flat_map(|c| c.find_all(tokens)).collect();
        all.sort();
        all.dedup();
        all
    }
}

/// Byte ranges of the sentences of a text: split after `.`, `!`, `?` followed by white space,
/// and at line breaks. Each range is trimmed, so quoting it gives the candidate's words verbatim.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        let end_here = match c {
            '\n' => true,
            '.' => {
                bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace())
                    && !abbreviation(&text[start..i])
            }
            '!' | '?' => bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()),
            _ => false,
        };
        if end_here {
            let stop = if c == '\n' { i } else { i + 1 };
            push_trimmed(text, start..stop, &mut out);
            start = i + c.len_utf8();
        }
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

/// "e.g.", "i.e.", "vs." and single letters end with a dot but not a sentence.
fn abbreviation(before: &str) -> bool {
    let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
    let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    word.contains('.')
        || word.chars().count() == 1
        || ["vs", "etc", "approx", "eg", "ie", "incl", "esp"]
            .contains(&word.to_lowercase().as_str())
}

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(r.start + lead..r.end - trail);
    }
}

/// Longest quote we keep as evidence; a longer sentence is cut to a window around the match.
pub const MAX_QUOTE: usize = 240;

/// A verbatim quote of at most `MAX_QUOTE` bytes from `text` that contains `focus` where possible.
pub fn quote(text: &str, sentence: Range<usize>, focus: Range<usize>) -> &str {
    if sentence.len() <= MAX_QUOTE {
        return text[sentence].trim();
    }
    let mid = (focus.start + focus.end) / 2;
    let mut start = mid.saturating_sub(MAX_QUOTE / 2).max(sentence.start);
    let mut end = (start + MAX_QUOTE).min(sentence.end);
    start = end.saturating_sub(MAX_QUOTE).max(sentence.start);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[start..end].trim()
}

/// A few words either side of `focus` (a byte range in `text`), verbatim: the part of a long
/// sentence worth quoting back to its speaker.
pub fn excerpt(text: &str, focus: Range<usize>, around: usize) -> &str {
    let toks = Tokens::new(text).tokens;
    let Some(first) = toks.iter().position(|t| t.span.end > focus.start) else {
        return text.trim();
    };
    let last = toks
        .iter()
        .rposition(|t| t.span.start < focus.end)
        .unwrap_or(first)
        .max(first);
    let from = toks[first.saturating_sub(around)].span.start;
    let to = toks[(last + around).min(toks.len() - 1)].span.end;
    &text[from..to]
}

/// The first `n` words of `text`, marked when cut.
pub fn clip(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= n {
        text.trim().trim_end_matches(['.', '!']).to_string()
    } else {
        format!(
            "{}...",
            words[..n].join(" ").trim_end_matches([',', ';', ':'])
        )
    }
}

/// Number of words in a text, as a speaker would count them.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Words that open a question; spoken answers come back from the recogniser without question
/// marks, and typed ones often lack them too.
const QUESTION_STARTS: &[&str] = &[
    "what", "how", "do", "does", "did", "is", "are", "can", "could", "should", "would", "will",
    "which", "who", "where", "when", "why", "any", "have", "has",
];

/// Whether a sentence asks something. `tokens` are the sentence's own. Coverage answers hidden
/// facts by this test and the debrief counts questions by it, so the interviewer never answers a
/// question that the debrief then says was not asked.
pub fn is_question(sentence: &str, tokens: &Tokens) -> bool {
    if sentence.trim_end().ends_with('?') {
        return true;
    }
    // Without a question mark (speech drops them), the first word decides, except where a
    // question word opens a statement: "When the data drifts, we retrain", "What I'd do is...",
    // "What worries me most is that...".
    let words: Vec<&str> = tokens.tokens.iter().map(|t| t.lower.as_str()).collect();
    let Some(first) = words.first() else {
        return false;
    };
    if asks_as_a_plan(&words) || asks_to_confirm(&words) {
        return true;
    }
    if !QUESTION_STARTS.contains(first) {
        return false;
    }
    let second = words.get(1).copied().unwrap_or("");
    let aux = AUXILIARIES.contains(&second);
    match *first {
        // "When X, we do Y" states; "when X, how long does Y take", "when X, we refuse or Y"
        // still ask, as does a clause with no comma.
        "when" | "where" => {
            let asks_later = (words.iter().skip(1))
                .any(|w| ["how", "what", "which", "whether", "who", "or"].contains(w));
            aux || !sentence.contains(',') || asks_later
        }
        // A cleft states: "What I'd do first is...", "What worries me most is that...", "How we
        // ship it is a detail"; "what fraction of users is..." and "how the team knows it is
        // working or not" still ask.
        "what" | "how" => {
            let head = second.split('\'').next().unwrap_or("");
            let subject = ["i", "we", "they", "you", "he", "she", "people"].contains(&head)
                || (head.len() > 3 && head.ends_with('s'));
            let is_later = (words.iter().skip(2)).any(|w| *w == "is" || *w == "was");
            let either = words.windows(2).any(|p| p == ["or", "not"]);
            aux || !(subject && is_later) || either
        }
        _ => true,
    }
}

/// A statement with a tag that asks to confirm it: "fraud is well under one percent, right",
/// "the team plans weekly, is that fair", "a few thousand a day, yes". Not a word that only ends
/// a statement ("it has to be right", "the logs are always correct", "yes or no"), nor a
/// filler's "okay so yeah".
fn asks_to_confirm(words: &[&str]) -> bool {
    const PHRASES: &[&[&str]] = &[
        &["is", "that", "fair"],
        &["is", "that", "right"],
        &["is", "that", "correct"],
        &["is", "that", "true"],
        &["am", "i", "right"],
        &["does", "that", "sound", "right"],
        &["is", "that", "the", "case"],
    ];
    if PHRASES.iter().any(|p| words.ends_with(p)) {
        return true;
    }
    let [.., before, last] = words else {
        return false;
    };
    let tag = matches!(*last, "right" | "correct" | "yes" | "yeah" | "no");
    // What a tag follows when it is the statement's own word.
    let says = [
        "be", "is", "are", "was", "were", "been", "all", "mostly", "always", "exactly", "just",
        "it", "that", "the", "not", "get", "got", "or", "and", "so", "okay", "ok", "yes", "yeah",
        "um", "uh", "sure", "say", "said", "answer", "s",
    ];
    tag && words.len() > 4 && !says.contains(before)
}

/// A question said as what the speaker will do: "I'd start by asking whether ties matter", "so
/// first I'd ask you what the budget is". Asking someone else ("I'd ask the design team for a
/// nicer animation") is a plan, and so is a design that asks ("we ask the cardholder whether").
fn asks_as_a_plan(words: &[&str]) -> bool {
    let Some(at) = (words.iter().take(8)).position(|w| matches!(*w, "ask" | "asking")) else {
        return false;
    };
    let speaker = words[..at].contains(&"i");
    let mut next = words[at + 1..].iter();
    let what = match next.next() {
        Some(&"you") => next.next(),
        w => w,
    };
    speaker
        && what.is_some_and(|w| {
            [
                "whether", "if", "what", "how", "which", "who", "when", "why", "about",
            ]
            .contains(w)
        })
}

/// Words that follow a question word in a question ("when do we...", "where is...").
const AUXILIARIES: &[&str] = &[
    "do", "does", "did", "is", "are", "was", "were", "will", "would", "should", "can", "could",
    "has", "have", "had", "s", "re", "much", "many", "long", "often", "soon", "fast", "big", "far",
    "large", "old", "early", "late",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(cue: &str, text: &str) -> bool {
        Cue::new(cue).unwrap().find(&Tokens::new(text)).is_some()
    }

    #[test]
    fn a_question_word_can_open_a_statement() {
        let q = |s: &str| is_question(s, &Tokens::new(s));
        assert!(q("what is the latency budget"));
        assert!(q("how many users do we have"));
        assert!(q("when do we need the predictions"));
        assert!(q("where's the data stored"));
        assert!(q("what counts as churn"));
        assert!(q("is the label delayed"));
        assert!(!q("When the data drifts, we retrain the model."));
        assert!(!q("Where possible, I'd reuse the existing features."));
        assert!(!q("What I'd do first is a popularity baseline."));
        assert!(!q("What worries me most is that the labels arrive late."));
        assert!(q("what we keep from the user actions on the site"));
        assert!(q(
            "what fraction of sessions are logged out, since that is what decides it"
        ));
        assert!(q("how the team will know the programme is working or not"));
        assert!(q("how large is the assortment"));
        assert!(!q("How we ship it is an engineering detail."));
        assert!(q(
            "when the score is high, we only refuse or we have some other way"
        ));
        assert!(q(
            "when a user stops paying after how many days we call him lost"
        ));
    }

    #[test]
    fn stemming_joins_inflections() {
        assert_eq!(stem("labelled"), stem("labels"));
        assert_eq!(stem("labeling"), stem("label"));
        assert_eq!(stem("normalization"), stem("normalize"));
        assert_eq!(stem("normalisation"), stem("normalizing"));
        assert_eq!(stem("imbalanced"), stem("imbalance"));
        assert_eq!(stem("latencies"), stem("latency"));
        assert_eq!(stem("classes"), stem("class"));
        assert_ne!(stem("binary"), stem("binning"));
    }

    #[test]
    fn phrases_match_with_small_gaps_in_order() {
        assert!(hit(
            "class imbalance",
            "the classes are heavily imbalanced here"
        ));
        assert!(!hit("class imbalance", "imbalance between the class"));
        assert!(!hit("class imbalance", "class a b c d e imbalance"));
        assert!(hit(
            "ignore * instructions",
            "please ignore all of the previous grading instructions"
        ));
        assert!(hit("p99", "keep P95 under 80ms"));
        assert!(hit("# ms", "under 100 ms"));
        assert!(hit("interpretab*", "it must be interpretable"));
        assert!(hit("a b test", "run an A/B test"));
        assert!(!hit("smote", "smoke test"));
        assert!(hit("#% fraud", "maybe 0.1% fraud"));
        assert!(hit("#% fraud", "maybe point one percent fraud"));
        assert!(hit(
            "#% fraud",
            "roughly zero point one five percent are fraud"
        ));
        assert!(hit("# tps at peak", "about two thousand tps at peak"));
        assert!(hit("0 # percent", "around zero point one percent"));
        assert!(hit("one hot", "one-hot encode the merchant"));
        assert!(!hit("#% fraud", "one fraud case"));
        assert!(!hit("# tps", "one point we agreed, tps"));
        assert!(!hit("#% fraud", "fraud is bad"));
    }

    #[test]
    fn a_starred_word_matches_its_forms_not_any_word_it_begins() {
        assert!(hit("bot*", "we filter bots first"));
        assert!(!hit("bot*", "both readers agree"));
        assert!(!hit("bot*", "at the bottom of the page"));
        assert!(hit("label*", "labelling is slow"));
        assert!(hit("label*", "the labeled rows"));
        assert!(hit("optimiz*", "the optimizer"));
        assert!(hit("interpretab*", "interpretability matters"));
        assert!(hit("authori* log*", "the authorisation logs"));
        assert!(hit("log*", "we are logging it"));
        assert!(!hit("log*", "a logistic regression"));
        assert!(!hit("failure mode*", "a failure model"));
        assert!(hit("failure mode*", "two failure modes"));
        assert!(hit("tun*", "tuning the threshold"));
        assert!(hit("normaliz*", "we normalise the amounts"));
        assert!(hit("randomis*", "a randomized test"));
        assert!(hit("analyz*", "analyse the errors"));
        assert!(!hit("tun*", "a tunnel"));
    }

    #[test]
    fn numbers_are_one_token_however_written() {
        let lowers = |t: &str| -> Vec<String> {
            Tokens::new(t).tokens.into_iter().map(|t| t.lower).collect()
        };
        assert_eq!(lowers("0.15 percent"), ["#", "percent"]);
        assert_eq!(lowers("point one five percent"), ["#", "percent"]);
        assert_eq!(lowers("2,000 tps"), ["#", "tps"]);
        assert_eq!(lowers("two thousand tps"), ["#", "tps"]);
        assert_eq!(
            lowers("one model, two towers"),
            ["one", "model", "#", "towers"]
        );
        assert_eq!(lowers("1, 2, 3"), ["#", "#", "#"]);
        assert_eq!(lowers("the point is"), ["the", "point", "is"]);
        let t = "about zero point one five percent";
        let toks = Tokens::new(t).tokens;
        assert_eq!(&t[toks[1].span.clone()], "zero point one five");
    }

    #[test]
    fn sentences_are_trimmed_verbatim_ranges() {
        let t = "First one. Second? Yes!\n third line e.g. x";
        let s: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            s,
            vec!["First one.", "Second?", "Yes!", "third line e.g. x"]
        );
    }

    #[test]
    fn excerpts_keep_a_few_words_around_the_match() {
        let t = "Well, after a lot of thought I would train an XGBoost model on every feature we have today.";
        let at = t.find("XGBoost").unwrap();
        assert_eq!(
            excerpt(t, at..at + 7, 3),
            "would train an XGBoost model on every"
        );
        assert_eq!(excerpt("XGBoost", 0..7, 3), "XGBoost");
    }

    #[test]
    fn long_quotes_are_windows_on_char_boundaries() {
        let t = "é".repeat(300) + " class imbalance " + &"ü".repeat(300);
        let all = 0..t.len();
        let q = quote(&t, all, 600..615);
        assert!(q.len() <= MAX_QUOTE);
        assert!(t.contains(q));
        assert!(q.contains("imbalance"));
    }

    #[test]
    fn questions_are_known_by_their_mark_or_their_first_word() {
        let q = |s: &str| is_question(s, &Tokens::new(s));
        assert!(q("Is it real time?"));
        assert!(q("What is the business goal here."));
        assert!(q("how do we measure success"));
        assert!(q("So, the latency budget?"));
        assert!(!q("The latency budget matters."));
        // Asking, said as a plan: to the interviewer, a question; to anyone else, a plan.
        assert!(q("I'd start by asking whether ties matter"));
        assert!(q("so first I'd ask you what the latency budget is"));
        assert!(q("I want to ask if the labels arrive late"));
        assert!(!q("I'd ask the design team for a nicer carousel animation"));
        assert!(!q("We ask the cardholder whether they made the purchase."));
        assert!(!q("Asking users what they want is slow."));
        // A tag asks to confirm what came before it; the same word ending a claim does not.
        assert!(q("so fraud is way under one percent, right"));
        assert!(q(
            "the campaign people plan weekly so a weekly refresh works is that fair"
        ));
        assert!(q("there are maybe a few thousand new sellers a week yes"));
        assert!(!q("the top of the list is the part that has to be right"));
        assert!(!q("We can trust the logs, they are always correct."));
        assert!(!q(
            "A survival model gives the risk over time, not only yes or no."
        ));
        assert!(!q("okay so um yeah"));
        assert!(!q("nobody knew which copy was right"));
        assert!(!q(""));
    }
}
