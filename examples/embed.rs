//! Embed lines of text with the real model and print what came out: a hand check of the
//! embedder, and a process to measure peak memory on:
//! `/usr/bin/time -v target/release/examples/embed --sentences 100`.
//!
//!   cargo run --release --example embed -- [--dir DIR] [--sentences N] < lines.txt
//!
//! With `--sentences N` it embeds N made-up interview sentences instead of reading stdin.

use casecoach::reader::embed::{Embedder, cosine};
use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut made_up: Option<usize> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dir" => dir = args.next().map(PathBuf::from),
            "--sentences" => made_up = args.next().and_then(|n| n.parse().ok()),
            _ => anyhow::bail!("usage: embed [--dir DIR] [--sentences N] < lines.txt"),
        }
    }
    let dir = match dir {
        Some(d) => d,
        None => casecoach::reader::install::location()?.dir,
    };
    let started = Instant::now();
    let embedder = Embedder::load(&dir)?;
    let loaded = started.elapsed();
    let lines: Vec<String> = match made_up {
        Some(n) => (0..n)
            .map(|i| {
                format!(
                    "For the {i}th model I would hold out the last {} weeks and watch the precision at {}% recall.",
                    i % 7 + 1,
                    (i * 13) % 90 + 5
                )
            })
            .collect(),
        None => std::io::stdin()
            .lock()
            .lines()
            .collect::<Result<_, _>>()?,
    };
    let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
    let started = Instant::now();
    let vectors = embedder.embed(&texts)?;
    let took = started.elapsed();
    eprintln!(
        "loaded {} in {:.0} ms; embedded {} texts in {:.0} ms",
        dir.display(),
        loaded.as_secs_f64() * 1e3,
        texts.len(),
        took.as_secs_f64() * 1e3
    );
    if made_up.is_none() {
        for (t, v) in texts.iter().zip(&vectors) {
            println!("{:>8.5?}  {t}", &v[..4]);
        }
        for a in &vectors {
            let row: Vec<String> = vectors
                .iter()
                .map(|b| format!("{:.3}", cosine(a, b)))
                .collect();
            println!("{}", row.join(" "));
        }
    }
    Ok(())
}
