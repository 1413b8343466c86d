//! The report a candidate keeps: one self-contained HTML file. Inline CSS and SVG only: no
//! scripts, no fonts or images fetched from anywhere, readable when printed.

use super::{CheckpointReport, Quote, Report, StageReport};
use std::fmt::Write;

/// Escape text for HTML element content and attribute values. Control characters are shown
/// as `safe` shows them, so the file is as harmless printed to a terminal as in a browser.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in crate::screen::safe(s).chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

const CSS: &str = r#"
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2430;max-width:960px;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #d8dde6;padding-bottom:.2em;margin-top:1.6em}
.rec{display:inline-block;padding:.3em .8em;border-radius:4px;font-weight:600;background:#eef1f6}
.rec.strong-hire,.rec.hire{background:#dff3e4;color:#14532d}.rec.lean-no-hire{background:#fdf1d8;color:#713f12}
.rec.no-hire{background:#fde2e2;color:#7f1d1d}
.charts{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e6e9ef;padding:.35em .5em;text-align:left;vertical-align:top}
.ok{color:#166534}.miss{color:#991b1b}.muted{color:#6b7280}
blockquote{margin:.2em 0 .2em 1em;padding-left:.6em;border-left:3px solid #c7d2fe;color:#374151}
.answer{background:#f6f8fb;padding:.3em .6em;border-radius:4px;margin:.2em 0 .6em 1em}
svg text{font:11px system-ui,sans-serif;fill:#374151}
@media print{body{margin:0;max-width:none;font-size:12px}h2{break-after:avoid}tr,blockquote,.answer{break-inside:avoid}.rec{border:1px solid #999}}
"#;

fn score_label(s: &StageReport) -> String {
    s.score.map_or("n/a".to_string(), |x| format!("{x}/4"))
}

/// A radar chart of the eight stage scores; stages not assessed sit at the centre, labelled n/a.
fn radar(stages: &[StageReport]) -> String {
    let (cx, cy, r) = (220.0, 160.0, 105.0);
    let n = stages.len().max(1) as f64;
    let point = |i: usize, v: f64| {
        let a = std::f64::consts::TAU * i as f64 / n - std::f64::consts::FRAC_PI_2;
        (cx + r * v * a.cos(), cy + r * v * a.sin())
    };
    let mut o = String::from(
        r#"<svg class="radar" role="img" aria-label="Stage scores" width="440" height="320" viewBox="0 0 440 320" xmlns="http://www.w3.org/2000/svg">"#,
    );
    for level in 1..=4 {
        let pts: Vec<String> = (0..stages.len())
            .map(|i| {
                let (x, y) = point(i, level as f64 / 4.0);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            o,
            r##"<polygon points="{}" fill="none" stroke="#d8dde6"/>"##,
            pts.join(" ")
        );
    }
    for (i, s) in stages.iter().enumerate() {
        let (x, y) = point(i, 1.0);
        let _ = write!(
            o,
            r##"<line x1="{cx}" y1="{cy}" x2="{x:.1}" y2="{y:.1}" stroke="#e6e9ef"/>"##
        );
        let (lx, ly) = point(i, 1.22);
        let anchor = if (lx - cx).abs() < 5.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        let _ = write!(
            o,
            r#"<text x="{lx:.1}" y="{:.1}" text-anchor="{anchor}">{} {}</text>"#,
            ly + 4.0,
            esc(s.id.id()),
            score_label(s)
        );
    }
    let pts: Vec<String> = stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (x, y) = point(i, s.score.unwrap_or(0) as f64 / 4.0);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        o,
        r##"<polygon class="scores" points="{}" fill="#6366f1" fill-opacity="0.25" stroke="#4f46e5" stroke-width="2"/></svg>"##,
        pts.join(" ")
    );
    o
}

/// Time per stage against its budget, as paired bars.
fn time_bars(stages: &[StageReport]) -> String {
    let max = stages
        .iter()
        .map(|s| s.budget_seconds.max(s.seconds.unwrap_or(0.0)))
        .fold(1.0, f64::max);
    let (w, row) = (300.0, 26.0);
    let h = row * stages.len() as f64 + 24.0;
    let mut o = format!(
        r#"<svg class="time" role="img" aria-label="Time per stage against budget" width="{}" height="{h}" viewBox="0 0 {} {h}" xmlns="http://www.w3.org/2000/svg">"#,
        w + 170.0,
        w + 170.0
    );
    for (i, s) in stages.iter().enumerate() {
        let y = i as f64 * row + 4.0;
        let bw = s.budget_seconds / max * w;
        let _ = write!(
            o,
            r#"<text x="0" y="{:.1}">{}</text>"#,
            y + 12.0,
            esc(s.id.id())
        );
        let _ = write!(
            o,
            r##"<rect x="90" y="{y:.1}" width="{bw:.1}" height="8" fill="#e0e7ff"/>"##
        );
        let label = match s.seconds {
            Some(t) => {
                let tw = t / max * w;
                let over = t > s.budget_seconds * 1.5;
                let colour = if over { "#dc2626" } else { "#4f46e5" };
                let _ = write!(
                    o,
                    r#"<rect x="90" y="{:.1}" width="{tw:.1}" height="8" fill="{colour}"/>"#,
                    y + 9.0
                );
                format!("{:.1} of {:.0} min", t / 60.0, s.budget_seconds / 60.0)
            }
            None => format!("- of {:.0} min", s.budget_seconds / 60.0),
        };
        let _ = write!(
            o,
            r#"<text x="{:.1}" y="{:.1}">{label}</text>"#,
            96.0 + w,
            y + 12.0
        );
    }
    let _ = write!(
        o,
        r##"<rect x="90" y="{:.1}" width="10" height="8" fill="#e0e7ff"/><text x="104" y="{:.1}">budget</text><rect x="160" y="{:.1}" width="10" height="8" fill="#4f46e5"/><text x="174" y="{:.1}">spoken time</text></svg>"##,
        h - 14.0,
        h - 6.0,
        h - 14.0,
        h - 6.0
    );
    o
}

fn quotes(o: &mut String, qs: &[Quote]) {
    for q in qs {
        let _ = write!(
            o,
            "<blockquote>turn {}: &ldquo;{}&rdquo;</blockquote>",
            q.turn,
            esc(&q.quote)
        );
    }
}

pub fn render(r: &Report) -> String {
    let mut o = String::with_capacity(32 * 1024);
    head(&mut o, r);
    overall(&mut o, r);
    scores_and_time(&mut o, r);
    code(&mut o, r);
    improvements(&mut o, r);
    pitfalls(&mut o, r);
    delivery(&mut o, r);
    checklist(&mut o, r);
    transcript(&mut o, r);
    o.push_str("<p class=\"muted\">Made by casecoach. Every score cites the turn it rests on.</p></body></html>\n");
    o
}

fn head(o: &mut String, r: &Report) {
    let _ = write!(
        o,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Debrief: {}</title><style>{CSS}</style></head><body>",
        esc(&r.title)
    );
    let _ = write!(
        o,
        "<h1>Debrief: {}</h1><p class=\"muted\">Scenario <code>{}</code> &middot; {} minutes &middot; from a {}",
        esc(&r.title),
        esc(&r.scenario),
        r.minutes,
        esc(&r.source)
    );
    if !r.readers.is_empty() {
        let _ = write!(
            o,
            " &middot; answers read by {}",
            esc(&r.readers.join(", then "))
        );
    }
    o.push_str("</p>");
}

fn overall(o: &mut String, r: &Report) {
    let rec_class = r.overall.recommendation.replace(' ', "-");
    let mean = r
        .overall
        .mean_score
        .map(|m| format!(" &middot; mean stage score {m:.1} of 4"))
        .unwrap_or_default();
    let _ = write!(
        o,
        "<p><span class=\"rec {rec_class}\">{}</span>{mean}</p><ul>",
        esc(&r.overall.recommendation)
    );
    for reason in &r.overall.reasons {
        let _ = write!(o, "<li>{}</li>", esc(reason));
    }
    o.push_str("</ul>");
}

fn scores_and_time(o: &mut String, r: &Report) {
    o.push_str("<h2>Scores and time</h2><div class=\"charts\">");
    o.push_str(&radar(&r.stages));
    o.push_str(&time_bars(&r.stages));
    o.push_str("</div><table><tr><th>Stage</th><th>Score</th><th>Covered</th><th>Hints</th><th>Probes answered</th><th>Why</th></tr>");
    for s in &r.stages {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>",
            esc(&s.name),
            score_label(s),
            s.covered,
            s.total,
            s.hints,
            s.probes_answered,
            s.probes_asked,
            esc(&s.reasons.join("; "))
        );
    }
    o.push_str("</table>");
}

/// The notes and the whole conversation, last, for reading back.
fn transcript(o: &mut String, r: &Report) {
    if !r.notes.is_empty() {
        o.push_str("<h2>Your notes</h2><ul>");
        for n in &r.notes {
            let _ = write!(o, "<li>{}</li>", esc(n));
        }
        o.push_str("</ul>");
    }
    if r.transcript.is_empty() {
        return;
    }
    o.push_str("<h2>Transcript</h2>");
    for l in &r.transcript {
        let who = match l.role {
            crate::interview::Role::Candidate => "Candidate",
            crate::interview::Role::Interviewer => "Interviewer",
        };
        let _ = write!(
            o,
            "<p class=\"line\"><strong>{who}</strong> <span class=\"muted\">({})</span> {}</p>",
            l.turn,
            esc(&l.text).replace('\n', "<br>")
        );
    }
}

fn improvements(o: &mut String, r: &Report) {
    if r.improvements.is_empty() {
        return;
    }
    let _ = write!(
        o,
        "<h2>Top {} things to improve</h2><ol>",
        r.improvements.len()
    );
    for i in &r.improvements {
        let _ = write!(o, "<li><p>{}</p>", esc(&i.what));
        if let Some(q) = &i.quote {
            quotes(o, std::slice::from_ref(q));
        }
        if let Some(a) = &i.strong_answer {
            let _ = write!(
                o,
                "<div class=\"answer\"><strong>A strong answer:</strong> {}</div>",
                esc(a)
            );
        }
        o.push_str("</li>");
    }
    o.push_str("</ol>");
}

fn pitfalls(o: &mut String, r: &Report) {
    if r.pitfalls.is_empty() {
        return;
    }
    o.push_str("<h2>Pitfalls</h2>");
    for p in &r.pitfalls {
        let _ = write!(
            o,
            "<p><strong>{}</strong> <code>{}</code>: {}</p>",
            esc(&p.title),
            p.id.id(),
            esc(&p.why)
        );
        quotes(o, &p.evidence);
    }
}

/// Only coding rounds have a code section: the rubric, then the code as submitted.
fn code(o: &mut String, r: &Report) {
    let Some(c) = &r.code else {
        return;
    };
    let _ = write!(
        o,
        "<h2>Code</h2><p>{} example run(s), {} submission(s).</p><ul>",
        c.runs, c.submissions
    );
    for item in &c.rubric {
        let mark = if item.met { "&#10003;" } else { "&#10007;" };
        let _ = write!(
            o,
            "<li>{mark} <code>{}</code>: {}</li>",
            esc(&item.id),
            esc(&item.why)
        );
    }
    o.push_str("</ul>");
    if let Some(src) = &c.code {
        let _ = write!(o, "<pre><code>{}</code></pre>", esc(src));
    }
}

/// Only spoken sessions have a delivery section.
fn delivery(o: &mut String, r: &Report) {
    let Some(d) = &r.delivery else {
        return;
    };
    let _ = write!(
        o,
        "<h2>Delivery</h2><p>{} spoken answers: {:.0} words a minute, {} filler words, longest pause {:.1} s (turn {}).</p><ul>",
        d.answers, d.words_per_minute, d.fillers, d.longest_pause, d.longest_pause_turn
    );
    for n in &d.notes {
        let _ = write!(o, "<li>{}</li>", esc(n));
    }
    o.push_str("</ul>");
}

fn checklist(o: &mut String, r: &Report) {
    o.push_str("<h2>Checklist</h2>");
    for stage in &r.stages {
        let _ = write!(
            o,
            "<h3>{} <span class=\"muted\">{}</span></h3>",
            esc(&stage.name),
            score_label(stage)
        );
        for c in r.checkpoints.iter().filter(|c| c.stage == stage.id) {
            checkpoint(o, c);
        }
    }
}

/// A covered checkpoint shows the turns that earned it; a missed one, what a strong answer says.
fn checkpoint(o: &mut String, c: &CheckpointReport) {
    if c.covered {
        let depth = if c.only_named {
            " <em>(named only)</em>"
        } else {
            ""
        };
        let _ = write!(
            o,
            "<p class=\"ok\">&#10003; <code>{}</code> {}{depth}</p>",
            esc(&c.id),
            esc(&c.title)
        );
        quotes(o, &c.evidence);
        if c.only_named
            && let Some(a) = &c.model_answer
        {
            let _ = write!(
                o,
                "<div class=\"answer\"><strong>Going further:</strong> {}</div>",
                esc(a)
            );
        }
    } else {
        let _ = write!(
            o,
            "<p class=\"miss\">&#10007; <code>{}</code> {}</p>",
            esc(&c.id),
            esc(&c.title)
        );
        if let Some(a) = &c.model_answer {
            let _ = write!(
                o,
                "<div class=\"answer\"><strong>A strong answer:</strong> {}</div>",
                esc(a)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }
}
