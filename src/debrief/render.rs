//! The debrief as text for the terminal, as Markdown, and as JSON.

use super::{Quote, Report, StageReport};
use crate::screen::safe;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Md,
    Json,
    /// A self-contained HTML report with charts
    Html,
}

pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text(report),
        Format::Md => markdown(report),
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        Format::Html => super::html::render(report),
    }
}

fn score(s: &StageReport) -> String {
    match s.score {
        Some(x) => format!("{x}/4"),
        None => s.status.clone(),
    }
}

fn cite(q: &Quote) -> String {
    format!("turn {}: \"{}\"", q.turn, q.quote)
}

fn time(s: &StageReport) -> String {
    match s.seconds {
        Some(secs) => format!("{:.1}/{:.0} min", secs / 60.0, s.budget_seconds / 60.0),
        None => format!("-/{:.0} min", s.budget_seconds / 60.0),
    }
}

pub fn text(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "DEBRIEF: {} ({})", r.title, r.scenario);
    if !r.readers.is_empty() {
        let _ = writeln!(o, "Answers read by: {}", r.readers.join(", then "));
    }
    let mean = r
        .overall
        .mean_score
        .map(|m| format!(", mean {m:.1}/4"))
        .unwrap_or_default();
    let _ = writeln!(
        o,
        "Recommendation: {}{mean}",
        r.overall.recommendation.to_uppercase()
    );
    for reason in &r.overall.reasons {
        let _ = writeln!(o, "  - {reason}");
    }
    let _ = writeln!(
        o,
        "\nStages                        score          covered  hints  probes  time"
    );
    for s in &r.stages {
        let _ = writeln!(
            o,
            "  {:<28}{:<15}{:>3}/{:<4}{:>6}{:>5}/{:<3}{:>10}",
            s.name,
            score(s),
            s.covered,
            s.total,
            s.hints,
            s.probes_answered,
            s.probes_asked,
            time(s)
        );
    }
    for s in &r.stages {
        if s.reasons.is_empty() {
            continue;
        }
        let _ = writeln!(o, "  {}: {}", s.name, s.reasons.join("; "));
    }
    if let Some(c) = &r.code {
        code_text(&mut o, c);
    }
    if !r.improvements.is_empty() {
        let _ = writeln!(o, "\nTop {} things to improve", r.improvements.len());
        for (n, i) in r.improvements.iter().enumerate() {
            let _ = writeln!(o, "  {}. {}", n + 1, i.what);
            if let Some(q) = &i.quote {
                let _ = writeln!(o, "     you said: {}", cite(q));
            }
            if let Some(a) = &i.strong_answer {
                let _ = writeln!(o, "     a strong answer: {a}");
            }
        }
    }
    if !r.pitfalls.is_empty() {
        let _ = writeln!(o, "\nPitfalls");
        for p in &r.pitfalls {
            let _ = writeln!(o, "  {} - {}: {}", p.id.id(), p.title, p.why);
            for q in &p.evidence {
                let _ = writeln!(o, "      {}", cite(q));
            }
        }
    }
    if let Some(d) = &r.delivery {
        let _ = writeln!(
            o,
            "\nDelivery ({} spoken answers): {:.0} words a minute, {} filler words, longest pause {:.1} s (turn {})",
            d.answers, d.words_per_minute, d.fillers, d.longest_pause, d.longest_pause_turn
        );
        for n in &d.notes {
            let _ = writeln!(o, "  - {n}");
        }
    }
    let _ = writeln!(o, "\nWhat you covered");
    for c in r.checkpoints.iter().filter(|c| c.covered) {
        let q = c.evidence.first().map(cite).unwrap_or_default();
        let depth = if c.only_named {
            " (named only: say why, or how)"
        } else {
            ""
        };
        let _ = writeln!(o, "  [x] {:<34} {}{depth}", c.id, q);
    }
    let missed: Vec<_> = r.checkpoints.iter().filter(|c| !c.covered).collect();
    if !missed.is_empty() {
        let _ = writeln!(o, "\nWhat you missed, and what a strong answer says");
        for c in missed {
            let _ = writeln!(o, "  [ ] {:<34} {}", c.id, c.title);
            if let Some(a) = &c.model_answer {
                let _ = writeln!(o, "        {a}");
            }
        }
    }
    safe(&o).into_owned()
}

/// A coding round's rubric, then the code itself.
fn code_text(o: &mut String, c: &super::code::CodeReport) {
    let _ = writeln!(
        o,
        "\nCode ({} example run(s), {} submission(s))",
        c.runs, c.submissions
    );
    for item in &c.rubric {
        let mark = if item.met { "x" } else { " " };
        let _ = writeln!(o, "  [{mark}] {:<18} {}", item.id, item.why);
        if let Some(q) = &item.evidence {
            let _ = writeln!(o, "        {}", cite(q));
        }
    }
    if let Some(code) = &c.code {
        let _ = writeln!(o, "  Your code:");
        for line in code.lines().take(60) {
            let _ = writeln!(o, "    | {line}");
        }
        if code.lines().count() > 60 {
            let _ = writeln!(o, "    | ...");
        }
    }
}

pub fn markdown(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Debrief: {}\n", md(&r.title));
    if !r.readers.is_empty() {
        let _ = writeln!(o, "Answers read by: {}\n", r.readers.join(", then "));
    }
    let mean = r
        .overall
        .mean_score
        .map(|m| format!(" (mean stage score {m:.1} of 4)"))
        .unwrap_or_default();
    let _ = writeln!(
        o,
        "**Recommendation: {}**{mean}\n",
        r.overall.recommendation
    );
    for reason in &r.overall.reasons {
        let _ = writeln!(o, "- {}", md(reason));
    }
    let _ = writeln!(
        o,
        "\n## Stages\n\n| stage | score | covered | hints | probes answered | time | why |\n|---|---|---|---|---|---|---|"
    );
    for s in &r.stages {
        let _ = writeln!(
            o,
            "| {} | {} | {}/{} | {} | {}/{} | {} | {} |",
            md(&s.name),
            score(s),
            s.covered,
            s.total,
            s.hints,
            s.probes_answered,
            s.probes_asked,
            time(s),
            md(&s.reasons.join("; "))
        );
    }
    if let Some(c) = &r.code {
        let _ = writeln!(
            o,
            "\n## Code\n\n{} example run(s), {} submission(s)\n",
            c.runs, c.submissions
        );
        for item in &c.rubric {
            let mark = if item.met { "x" } else { " " };
            let _ = writeln!(o, "- [{mark}] `{}`: {}", item.id, md(&item.why));
        }
        if let Some(src) = &c.code {
            // A fence longer than any run of backticks in the code keeps it a code block.
            let longest = (src.split(|ch| ch != '`')).map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            let _ = writeln!(o, "\n{fence}python\n{}\n{fence}", src.trim_end());
        }
    }
    if !r.improvements.is_empty() {
        let _ = writeln!(o, "\n## Top {} things to improve\n", r.improvements.len());
        for (n, i) in r.improvements.iter().enumerate() {
            let _ = writeln!(o, "{}. {}", n + 1, md(&i.what));
            if let Some(q) = &i.quote {
                let _ = writeln!(o, "   - you said (turn {}): \"{}\"", q.turn, md(&q.quote));
            }
            if let Some(a) = &i.strong_answer {
                let _ = writeln!(o, "   - *a strong answer:* {}", md(a));
            }
        }
    }
    if !r.pitfalls.is_empty() {
        let _ = writeln!(o, "\n## Pitfalls\n");
        for p in &r.pitfalls {
            let _ = writeln!(o, "- **{}**: {} ({})", p.id.id(), md(&p.title), md(&p.why));
            for q in &p.evidence {
                let _ = writeln!(o, "  - turn {}: \"{}\"", q.turn, md(&q.quote));
            }
        }
    }
    if let Some(d) = &r.delivery {
        let _ = writeln!(
            o,
            "\n## Delivery\n\n{} spoken answers: {:.0} words a minute, {} filler words, longest pause {:.1} s (turn {}).\n",
            d.answers, d.words_per_minute, d.fillers, d.longest_pause, d.longest_pause_turn
        );
        for n in &d.notes {
            let _ = writeln!(o, "- {}", md(n));
        }
    }
    let _ = writeln!(o, "\n## Checklist\n");
    for c in &r.checkpoints {
        let mark = if c.covered { "x" } else { " " };
        let depth = if c.only_named { " *(named only)*" } else { "" };
        let _ = writeln!(o, "- [{mark}] `{}` {}{depth}", c.id, md(&c.title));
        for q in &c.evidence {
            let _ = writeln!(o, "  - turn {}: \"{}\"", q.turn, md(&q.quote));
        }
        if let Some(a) = &c.model_answer {
            let _ = writeln!(o, "  - *strong answer:* {}", md(a));
        }
    }
    if !r.notes.is_empty() {
        let _ = writeln!(o, "\n## Your notes\n");
        for n in &r.notes {
            let _ = writeln!(o, "- {}", md(n));
        }
    }
    if !r.transcript.is_empty() {
        let _ = writeln!(o, "\n## Transcript\n");
        for l in &r.transcript {
            let _ = writeln!(
                o,
                "**{} ({}):** {}\n",
                speaker(l),
                l.turn,
                md(&l.text).replace('\n', "  \n")
            );
        }
    }
    safe(&o).into_owned()
}

/// Text from outside the program as Markdown that shows it as written: every character that
/// could start emphasis, a link, code, a table cell, raw HTML or an entity is backslash-escaped,
/// and so is one that starts a block (a heading or a quote) after a line break.
fn md(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    let mut line_start = true;
    for c in s.chars() {
        let starts_block = line_start && matches!(c, '-' | '+' | '=');
        if starts_block
            || matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&' | '~' | '!'
            )
        {
            o.push('\\');
        }
        o.push(c);
        line_start = c == '\n' || (line_start && c == ' ');
    }
    o
}

fn speaker(l: &super::Line) -> &'static str {
    match l.role {
        crate::interview::Role::Candidate => "Candidate",
        crate::interview::Role::Interviewer => "Interviewer",
    }
}

/// The transcript alone, as plain text: what `debrief --transcript` prints.
pub fn transcript(r: &Report) -> String {
    let mut o = String::new();
    for l in &r.transcript {
        let _ = writeln!(o, "[{}] {}: {}\n", l.turn, speaker(l), l.text);
    }
    if !r.notes.is_empty() {
        let _ = writeln!(o, "Your notes:");
        for n in &r.notes {
            let _ = writeln!(o, "  - {n}");
        }
    }
    safe(&o).into_owned()
}
