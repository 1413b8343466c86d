//! A streamed interviewer line, piece by piece: the visible text (thinking removed, the word
//! budget kept) and the sentences it completes. The model interviewer shows and checks a line a
//! sentence at a time; the voice speaks it a sentence at a time.

/// Cuts streamed text into sentences as soon as each one is complete.
#[derive(Debug, Default)]
pub struct Sentences {
    buf: String,
}

/// Words whose trailing full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "approx", "no", "cf", "fig",
];

impl Sentences {
    /// Add a piece of the stream; returns the sentences it completed.
    pub fn push(&mut self, piece: &str) -> Vec<String> {
        self.buf.push_str(piece);
        let mut out = Vec::new();
        while let Some(end) = self.boundary() {
            let sentence: String = self.buf.drain(..end).collect();
            let sentence = sentence.trim();
            if sentence.chars().any(char::is_alphanumeric) {
                out.push(sentence.to_string());
            }
        }
        out
    }

    /// The rest, once the stream is over.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buf);
        let rest = rest.trim();
        rest.chars()
            .any(char::is_alphanumeric)
            .then(|| rest.to_string())
    }

    /// Byte index just past the first complete sentence: a terminator followed by whitespace
    /// (closing quotes and brackets stay with it), or a line break.
    fn boundary(&self) -> Option<usize> {
        let b = self.buf.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' {
                return Some(i + 1);
            }
            if !matches!(c, b'.' | b'?' | b'!') {
                continue;
            }
            let mut j = i + 1;
            while j < b.len() && matches!(b[j], b'"' | b'\'' | b')' | b']' | b'.' | b'?' | b'!') {
                j += 1;
            }
            // The next character decides; it has not arrived yet.
            if j >= b.len() {
                return None;
            }
            if !b[j].is_ascii_whitespace() {
                continue;
            }
            if c == b'.' && self.abbreviation_before(i) {
                continue;
            }
            return Some(j);
        }
        None
    }

    fn abbreviation_before(&self, dot: usize) -> bool {
        let word = self.buf[..dot]
            .rsplit(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("")
            .to_lowercase();
        ABBREVIATIONS.contains(&word.as_str())
            || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic))
    }
}

/// Visible text out of a raw stream: `<think>` blocks removed (a partial tag is held back until
/// it resolves), and at most `budget` words. Each piece is looked at once, so a reply costs time
/// in proportion to its length however finely it is streamed.
#[derive(Debug, Default)]
pub struct Visible {
    /// The end of the stream that may be the start of a tag, held until the next piece.
    pending: String,
    thinking: bool,
    /// Whitespace after the last word, shown only when another word follows.
    space: String,
    words: usize,
    budget: usize,
    pub full: bool,
}

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

impl Visible {
    pub fn new(budget: usize) -> Visible {
        Visible {
            budget,
            ..Visible::default()
        }
    }

    /// Add streamed text; returns what may be shown now.
    pub fn push(&mut self, piece: &str) -> String {
        self.pending.push_str(piece);
        let mut new = String::new();
        loop {
            let tag = if self.thinking { CLOSE } else { OPEN };
            if let Some(i) = self.pending.find(tag) {
                if !self.thinking {
                    let before = self.pending[..i].to_string();
                    self.show(&before, &mut new);
                }
                self.pending.drain(..i + tag.len());
                self.thinking = !self.thinking;
                continue;
            }
            let keep = partial_tag(&self.pending, tag).unwrap_or(self.pending.len());
            if !self.thinking {
                let before = self.pending[..keep].to_string();
                self.show(&before, &mut new);
            }
            self.pending.drain(..keep);
            return new;
        }
    }

    /// Add visible text to `new` word by word, up to the budget.
    fn show(&mut self, text: &str, new: &mut String) {
        for c in text.chars() {
            if self.full {
                return;
            }
            if c.is_whitespace() {
                if self.words > 0 {
                    self.space.push(c);
                }
                continue;
            }
            if self.words == 0 || !self.space.is_empty() {
                if self.words == self.budget {
                    self.full = true;
                    return;
                }
                self.words += 1;
            }
            new.push_str(&self.space);
            self.space.clear();
            new.push(c);
        }
    }
}

/// Where a trailing, possibly partial `tag` starts.
fn partial_tag(s: &str, tag: &str) -> Option<usize> {
    (1..tag.len())
        .rev()
        .find(|&n| s.ends_with(&tag[..n]))
        .map(|n| s.len() - n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(pieces: &[&str]) -> Vec<String> {
        let mut s = Sentences::default();
        let mut out: Vec<String> = pieces.iter().flat_map(|p| s.push(p)).collect();
        out.extend(s.finish());
        out
    }

    #[test]
    fn sentences_complete_as_the_stream_arrives() {
        let mut s = Sentences::default();
        assert!(s.push("What would you opti").is_empty());
        assert!(
            s.push("mise first?").is_empty(),
            "the next character decides"
        );
        assert_eq!(s.push(" Take"), vec!["What would you optimise first?"]);
        assert_eq!(s.push(" your time.\n"), vec!["Take your time."]);
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn abbreviations_decimals_and_quotes_do_not_split() {
        assert_eq!(
            split(&["Use e.g. PR-AUC at 0.5 recall vs. ROC-AUC. Dr. Lee said \"fine.\" Next?"]),
            vec![
                "Use e.g. PR-AUC at 0.5 recall vs. ROC-AUC.",
                "Dr. Lee said \"fine.\"",
                "Next?"
            ]
        );
        assert_eq!(
            split(&["Wait... ", "what?! ", "ok"]),
            vec!["Wait...", "what?!", "ok"]
        );
        assert_eq!(split(&["  \n . \n"]), Vec::<String>::new());
    }

    #[test]
    fn thinking_is_hidden_even_when_the_tag_is_split() {
        let mut v = Visible::new(60);
        let mut shown = String::new();
        for piece in [
            "<th",
            "ink>plan the ",
            "question</thi",
            "nk>",
            "What is ",
            "the goal?",
        ] {
            shown.push_str(&v.push(piece));
        }
        assert_eq!(shown, "What is the goal?");
    }

    #[test]
    fn pieces_are_joined_as_one_text_whatever_their_cuts() {
        let text = "  <think>a plan</think>\n\nWhat is   the\tgoal? <think>more";
        for size in [1, 2, 3, 7, 100] {
            let mut v = Visible::new(60);
            let chars: Vec<char> = text.chars().collect();
            let shown: String = chars
                .chunks(size)
                .map(|c| v.push(&c.iter().collect::<String>()))
                .collect();
            assert_eq!(shown, "What is   the\tgoal?", "pieces of {size}");
        }
    }

    #[test]
    fn the_word_budget_is_enforced_on_the_stream() {
        let mut v = Visible::new(5);
        let mut shown = String::new();
        for piece in ["One two three ", "four five six ", "seven"] {
            shown.push_str(&v.push(piece));
            if v.full {
                break;
            }
        }
        assert_eq!(shown, "One two three four five");
        assert!(v.full);
    }
}
