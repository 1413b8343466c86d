//! What is wrong with a scenario file and where: every problem carries `file:line:col`, because
//! an author fixes a file, not a message.

use super::MAX_FILE_BYTES;
use std::fmt;
use std::ops::Range;

/// One problem in a scenario file, with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    /// A warning: the scenario loads, but something in it cannot be reached or scored.
    pub warning: bool,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.warning { "warning: " } else { "" };
        write!(
            f,
            "{}:{}:{}: {kind}{}",
            self.file, self.line, self.col, self.message
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("unknown scenario '{name}'; known scenarios: {}", known.join(", "))]
    Unknown { name: String, known: Vec<String> },
    #[error("cannot read scenario file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}: the file is {size} bytes; scenario files are limited to {MAX_FILE_BYTES} bytes"
    )]
    TooLarge { path: String, size: u64 },
    #[error("{}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid { problems: Vec<Problem> },
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The problems found so far in one text, turning byte spans into positions as they are added.
pub(super) struct Problems<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
    pub(super) list: Vec<Problem>,
}

impl Problems<'_> {
    fn push(&mut self, span: Range<usize>, message: String, warning: bool) {
        let (line, col) = line_col(self.text, span.start);
        self.list.push(Problem {
            file: self.file.to_string(),
            line,
            col,
            message,
            warning,
        });
    }

    pub(super) fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.push(span, message.into(), false);
    }

    pub(super) fn warn(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.push(span, message.into(), true);
    }

    /// Where a top-level key is written, for problems with no span of their own.
    pub(super) fn key(&self, name: &str) -> Range<usize> {
        let at = self.text.lines().scan(0, |off, l| {
            let here = *off;
            *off += l.len() + 1;
            Some((here, l))
        });
        at.filter(|(_, l)| l.trim_start().starts_with(name))
            .map(|(o, _)| o..o)
            .next()
            .unwrap_or(0..0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
    }
}
