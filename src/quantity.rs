//! Numbers as candidates write and say them in a back-of-the-envelope estimate: "20,000",
//! "2.5 million", "40k", "3 TB", "$1.2M". Only counts and sizes are read as quantities; a
//! percentage, a factor ("20x"), a duration ("100 ms"), an ordinal ("99th") or a number inside
//! a word ("p99", "v2") is not an estimate of anything a scenario checks, so it is left out
//! rather than misread.

use std::ops::Range;

/// What a quantity counts: things (requests, items, dollars) or bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Bytes,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub unit: Unit,
    /// Where it is written in the text, suffix included ("2.5 million").
    pub span: Range<usize>,
}

/// The quantities of `text`, in order.
pub fn all(text: &str) -> Vec<Quantity> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'));
        if !starts {
            i += 1;
            continue;
        }
        let start = i;
        let (digits, end) = number_at(text, i);
        i = end;
        let Ok(n) = digits.parse::<f64>() else {
            continue;
        };
        let (suffix, after) = suffix_at(text, end);
        i = i.max(after);
        match suffix {
            Suffix::Scale(m, unit) => out.push(Quantity {
                value: n * m,
                unit,
                span: start..after,
            }),
            Suffix::Skip => {}
        }
    }
    out
}

/// The one quantity a scenario file writes in a field ("2,000", "3 TB"), if it is exactly one.
pub fn parse(text: &str) -> Option<Quantity> {
    let q = all(text);
    (q.len() == 1).then(|| q[0].clone())
}

/// The number written at `i`: digits, thousands groups ("20,000") and a decimal part, with the
/// commas removed; and where it ends.
fn number_at(text: &str, start: usize) -> (String, usize) {
    let b = text.as_bytes();
    let mut i = start;
    let mut digits = String::new();
    while i < b.len() && b[i].is_ascii_digit() {
        digits.push(b[i] as char);
        i += 1;
    }
    // Thousands groups: a comma followed by exactly three digits.
    while i + 3 < b.len()
        && b[i] == b','
        && b[i + 1..i + 4].iter().all(u8::is_ascii_digit)
        && !b.get(i + 4).is_some_and(u8::is_ascii_digit)
    {
        digits.push_str(&text[i + 1..i + 4]);
        i += 4;
    }
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        digits.push('.');
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            digits.push(b[i] as char);
            i += 1;
        }
    }
    (digits, i)
}

enum Suffix {
    /// Multiply by this; the quantity has this unit.
    Scale(f64, Unit),
    /// Not a count or a size.
    Skip,
}

/// What follows a number at `at` (a space or none, then a word or a sign), and where the
/// quantity ends.
fn suffix_at(text: &str, at: usize) -> (Suffix, usize) {
    let rest = &text[at..];
    if rest.starts_with('%') {
        return (Suffix::Skip, at + 1);
    }
    let glued = !rest.starts_with(' ');
    let trimmed = rest.trim_start_matches(' ');
    let gap = rest.len() - trimmed.len();
    if gap > 1 {
        return (Suffix::Scale(1.0, Unit::Count), at);
    }
    let word: String = trimmed
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let end = at + gap + word.len();
    let lower = word.to_ascii_lowercase();
    let scale = |m: f64| (Suffix::Scale(m, Unit::Count), end);
    // One-letter suffixes count only glued to the number ("40k", "1.5B"): "5 m" is as likely
    // metres or minutes.
    match (lower.as_str(), glued) {
        ("", _) => (Suffix::Scale(1.0, Unit::Count), at),
        ("k", true) | ("thousand", _) => scale(1e3),
        ("m" | "mm" | "mn", true) | ("million" | "millions", _) => scale(1e6),
        ("b" | "bn", true) | ("billion" | "billions", _) => scale(1e9),
        ("t" | "tn", true) | ("trillion", _) => scale(1e12),
        ("percent" | "x" | "th" | "st" | "nd" | "rd" | "ms" | "s" | "sec" | "secs", _)
        | ("second" | "seconds" | "minute" | "minutes" | "min" | "mins", _)
        | ("hour" | "hours" | "hr" | "hrs" | "h" | "day" | "days" | "d", _)
        | ("week" | "weeks" | "month" | "months" | "year" | "years", _)
        | ("times" | "fold" | "gbps" | "mbps" | "ghz" | "mhz", _) => (Suffix::Skip, end),
        _ => match bytes(&lower) {
            Some(m) => (Suffix::Scale(m, Unit::Bytes), end),
            // An ordinary word ("20 requests"): a plain count. A word glued on ("v2x", "3rd"
            // is handled above) makes the digits part of a name.
            None if glued => (Suffix::Skip, end),
            None => (Suffix::Scale(1.0, Unit::Count), at),
        },
    }
}

fn bytes(unit: &str) -> Option<f64> {
    Some(match unit {
        "byte" | "bytes" => 1.0,
        "kb" | "kilobyte" | "kilobytes" | "kib" => 1e3,
        "mb" | "megabyte" | "megabytes" | "mib" => 1e6,
        "gb" | "gigabyte" | "gigabytes" | "gig" | "gigs" | "gib" => 1e9,
        "tb" | "terabyte" | "terabytes" | "tib" => 1e12,
        "pb" | "petabyte" | "petabytes" | "pib" => 1e15,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(f64, Unit, &str)> {
        all(text)
            .into_iter()
            .map(|q| (q.value, q.unit, &text[q.span]))
            .collect()
    }

    #[test]
    fn reads_counts_with_groups_decimals_and_magnitudes() {
        use Unit::*;
        assert_eq!(
            values("About 20,000 requests a second, 2.5 million users and 40k items."),
            [
                (20_000.0, Count, "20,000"),
                (2_500_000.0, Count, "2.5 million"),
                (40_000.0, Count, "40k")
            ]
        );
        assert_eq!(values("$1.2M a month"), [(1_200_000.0, Count, "1.2M")]);
        assert_eq!(values("1.5B impressions"), [(1.5e9, Count, "1.5B")]);
    }

    #[test]
    fn reads_sizes_in_bytes() {
        assert_eq!(
            values("about 3 TB a year, 500GB of embeddings, 2 kilobytes each"),
            [
                (3e12, Unit::Bytes, "3 TB"),
                (5e11, Unit::Bytes, "500GB"),
                (2e3, Unit::Bytes, "2 kilobytes")
            ]
        );
    }

    #[test]
    fn leaves_out_what_is_not_a_count_or_a_size() {
        assert!(
            values("a 20x peak, p99 under 50 ms, 0.15% fraud, the 99th percentile, v2, 3 days")
                .is_empty()
        );
        // "1,2,3" is a list, not one thousand and twenty-three.
        assert_eq!(values("1,2,3").len(), 3);
    }

    #[test]
    fn a_field_holds_exactly_one_quantity() {
        assert_eq!(parse("2,000").map(|q| q.value), Some(2000.0));
        assert_eq!(parse("3 TB").map(|q| q.unit), Some(Unit::Bytes));
        assert!(parse("lots").is_none() && parse("1 to 2").is_none());
    }
}
