//! Sentences, and the verbatim quotes taken from them as evidence.

use super::Tokens;
use std::ops::Range;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
