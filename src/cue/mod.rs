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

mod question;
mod sentence;

pub use question::is_question;
pub use sentence::{MAX_QUOTE, clip, excerpt, quote, sentences, word_count};

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
    /// A stem and its other spelling (`spellings`), worked out once: cues are matched
    /// against every token of every turn.
    Prefix(Vec<String>),
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
                    parts.push(Part::Prefix(spellings(&t.lower)));
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
        self.words(toks, start)?.last().copied()
    }
}

fn part_matches(part: &Part, token: &Token) -> bool {
    match part {
        Part::Word(s) => token.stem == *s,
        Part::Prefix(spellings) => spellings.iter().any(|p| {
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

#[cfg(test)]
mod tests;
