//! The sentence embedder's speed, against issue 10's targets on this 2-core machine: loading
//! the model under 500 ms; reading one 60-word turn under 30 ms median (the embedding is most
//! of that reading). Also a batch of 32 sentences, the size `Embedder::embed` runs at once,
//! and the fake embedder for scale.
//!
//! Needs the model (`scripts/fetch-model.sh` or `casecoach setup`); without it the real
//! embedder's benchmarks say SKIPPED. Run: `cargo bench --bench reader`
//!
//! Measured on 2026-12-07 with nothing else running (criterion medians): load 135 ms;
//! embedding the turn 21–22 ms; the whole semantic reading of it (embedding, exemplar
//! nearness, heads, rules, fact lookup) 25.6 to 30.2 ms over five runs, at the 30 ms target;
//! a batch of 32 sentences 273 ms; the same turn ending in a clarifying question, so that the
//! fact lookup runs, 28.5-29.1 ms; the lexical reading 0.40 ms (1.0 ms before cue prefixes
//! kept their spellings). With `RAYON_NUM_THREADS=1`: the turn 27.5
//! ms, the reading 30.8 ms. Before the packed encoder (minilm) the same reading took 49.3 ms
//! (48.8 ms on one core): the general BERT padded, spent an eighth of the time in an exact
//! erf, and its caller ran beside candle's spinning workers.

use casecoach::reader::embed::{Embed, Embedder, FakeEmbedder};
use casecoach::reader::install;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

/// A 60-word candidate turn of four sentences, as the reader will split it.
const TURN: [&str; 4] = [
    "For data I'd pull the authorization logs and join the chargeback table by transaction id.",
    "Labels arrive thirty to ninety days late, so the most recent weeks are under-labelled.",
    "So I would only train on matured data and leave a gap before the test month.",
    "Fraud is about 0.15 percent of transactions, so accuracy is meaningless and I'd report PR-AUC.",
];

/// A clarifying question of about the last sentence's length.
const QUESTION: &str =
    "Before I go further, roughly how rare is fraud here, as a share of all card payments?";

/// The first 32 sentences of the strong fraud answers.
fn sentences() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fraud-strong.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        let mut start = 0;
        for (i, _) in line.match_indices(['.', '?']) {
            // A sentence ends at a stop followed by a space or the end of the line.
            if line[i + 1..].starts_with(' ') || i + 1 == line.len() {
                out.push(line[start..=i].trim().to_string());
                start = i + 1;
            }
        }
    }
    out.truncate(32);
    assert_eq!(out.len(), 32);
    out
}

fn embedder(c: &mut Criterion) {
    let words: usize = TURN.iter().map(|s| s.split_whitespace().count()).sum();
    assert!((58..=62).contains(&words), "{words} words");
    c.bench_function("reader/fake/turn-60-words", |b| {
        b.iter(|| FakeEmbedder.embed(black_box(&TURN)).unwrap())
    });

    let status = install::status().unwrap();
    if !status.installed() {
        eprintln!("SKIPPED the real embedder: {status}");
        return;
    }
    let dir = status.location.dir;
    let mut slow = c.benchmark_group("reader/model");
    slow.sample_size(10);
    slow.bench_function("load", |b| {
        b.iter(|| Embedder::load(black_box(&dir)).unwrap())
    });
    slow.finish();

    let model = Embedder::load(&dir).unwrap();
    c.bench_function("reader/model/turn-60-words", |b| {
        b.iter(|| model.embed(black_box(&TURN)).unwrap())
    });
    let batch = sentences();
    let batch: Vec<&str> = batch.iter().map(String::as_str).collect();
    c.bench_function("reader/model/batch-32-sentences", |b| {
        b.iter(|| model.embed(black_box(&batch)).unwrap())
    });
    // The whole reading of the turn, as a session does it: embedding, exemplar nearness, heads,
    // rules, fact lookup (the scenario's facts embedded once, before timing).
    let scenario = casecoach::scenario::load("fraud").unwrap();
    let turn = TURN.join(" ");
    let semantic = casecoach::reader::semantic().unwrap();
    semantic.analyse(&scenario, &turn).unwrap();
    c.bench_function("reader/semantic/read-60-word-turn", |b| {
        b.iter(|| semantic.analyse(&scenario, black_box(&turn)).unwrap())
    });
    // The same turn ending in a clarifying question, so the fact lookup runs too.
    let asking = format!("{} {}", TURN[..3].join(" "), QUESTION);
    c.bench_function("reader/semantic/read-60-word-turn-with-a-question", |b| {
        b.iter(|| semantic.analyse(&scenario, black_box(&asking)).unwrap())
    });
    let lexical = casecoach::reader::Lexical;
    c.bench_function("reader/lexical/read-60-word-turn", |b| {
        b.iter(|| {
            casecoach::reader::Reader::analyse(&lexical, &scenario, black_box(&turn)).unwrap()
        })
    });
}

criterion_group!(benches, embedder);
criterion_main!(benches);
