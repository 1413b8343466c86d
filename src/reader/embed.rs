//! Sentence embeddings: all-MiniLM-L6-v2 run in-process on the CPU with candle, and a tiny
//! deterministic stand-in for tests that have no model.
//!
//! The real embedder follows sentence-transformers' recipe for this model exactly: WordPiece
//! tokens (lower-cased, at most 256 with `[CLS]` and `[SEP]`), the six-layer BERT encoder
//! (`minilm`, which packs a call's texts end to end rather than padding them), the mean of
//! each text's last hidden states, then L2 normalisation. Every vector
//! has [`DIM`] components and unit length, so a dot product is the cosine similarity.

use candle_core::{DType, Device};
use candle_nn::VarBuilder;
pub use minilm::dot;
use minilm::{Config, Encoder};
use std::path::{Path, PathBuf};
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

/// Components of every embedding.
pub const DIM: usize = 384;

/// Tokens a text is cut to, `[CLS]` and `[SEP]` included: sentence-transformers'
/// `max_seq_length` for all-MiniLM-L6-v2 (it was trained on at most 128 and the position table
/// has 512). The tokenizer.json shipped with the model says 128 and pads every text to 128;
/// both are overridden here.
pub const MAX_TOKENS: usize = 256;

/// Texts run through the encoder at once, and their most tokens: a longer slice is read in
/// runs, so memory stays bounded whatever the caller passes.
const BATCH: usize = 32;
const PACKED: usize = 2048;

/// The three files the model folder holds.
pub const CONFIG_FILE: &str = "config.json";
pub const TOKENIZER_FILE: &str = "tokenizer.json";
pub const WEIGHTS_FILE: &str = "model.safetensors";
pub const FILES: [&str; 3] = [WEIGHTS_FILE, TOKENIZER_FILE, CONFIG_FILE];

/// Anything that turns texts into unit vectors of [`DIM`] components, one per text, in order.
pub trait Embed: Send + Sync {
    fn embed(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>>;
    /// Which embedder this is, for the header, `doctor` and the debrief.
    fn name(&self) -> &str;
}

/// Why the model could not be loaded or run. Each file error names the file and the fix.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(
        "the sentence-embedding model file {} is missing; `casecoach setup` fetches the model",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error(
        "the sentence-embedding model file {} cannot be read ({source}); check its permissions, or `casecoach setup` fetches the model again",
        path.display()
    )]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the sentence-embedding model file {} is damaged or not all-MiniLM-L6-v2's ({reason}); `casecoach setup` fetches the model again",
        path.display()
    )]
    Corrupt { path: PathBuf, reason: String },
    #[error("the sentence-embedding model failed on this text: {0}")]
    Inference(String),
}

impl From<candle_core::Error> for EmbedError {
    fn from(e: candle_core::Error) -> Self {
        EmbedError::Inference(e.to_string())
    }
}

/// all-MiniLM-L6-v2, loaded from a folder holding model.safetensors, tokenizer.json and
/// config.json (see [`crate::reader::install`] for where that folder is and how to fill it).
pub struct Embedder {
    encoder: Encoder,
    tokenizer: Tokenizer,
    dir: PathBuf,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder").field("dir", &self.dir).finish()
    }
}

/// The bytes of `dir/name`, or the error that names it.
fn read(dir: &Path, name: &str) -> Result<Vec<u8>, EmbedError> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => EmbedError::Missing { path },
        _ => EmbedError::Unreadable { path, source },
    })
}

impl Embedder {
    /// Load the model from `dir`. A missing, unreadable or damaged file is an error naming it;
    /// nothing here panics on bad files.
    pub fn load(dir: &Path) -> Result<Embedder, EmbedError> {
        let corrupt = |name: &str, reason: String| EmbedError::Corrupt {
            path: dir.join(name),
            reason,
        };
        // Check that all three are there before the slow part, so a half-installed folder is
        // reported by the file that is missing.
        for name in FILES {
            let path = dir.join(name);
            if !path.is_file() {
                return Err(EmbedError::Missing { path });
            }
        }

        let config: Config = serde_json::from_slice(&read(dir, CONFIG_FILE)?)
            .map_err(|e| corrupt(CONFIG_FILE, e.to_string()))?;
        if config.hidden_size != DIM {
            return Err(corrupt(
                CONFIG_FILE,
                format!(
                    "hidden_size is {}, all-MiniLM-L6-v2 has {DIM}",
                    config.hidden_size
                ),
            ));
        }
        if config.max_position_embeddings < MAX_TOKENS {
            return Err(corrupt(
                CONFIG_FILE,
                format!(
                    "max_position_embeddings is {}, fewer than the {MAX_TOKENS} tokens read",
                    config.max_position_embeddings
                ),
            ));
        }

        let mut tokenizer = Tokenizer::from_bytes(read(dir, TOKENIZER_FILE)?)
            .map_err(|e| corrupt(TOKENIZER_FILE, e.to_string()))?;
        if tokenizer.get_vocab_size(true) > config.vocab_size {
            return Err(corrupt(
                TOKENIZER_FILE,
                format!(
                    "its vocabulary has {} tokens, the model {}",
                    tokenizer.get_vocab_size(true),
                    config.vocab_size
                ),
            ));
        }
        tokenizer
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: MAX_TOKENS,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(|e| corrupt(TOKENIZER_FILE, e.to_string()))?;
        // The encoder packs texts end to end: nothing is padded.
        tokenizer.with_padding(None);

        // Read into memory rather than map the file: the model copies every tensor into its
        // own storage and the buffer is dropped when loading ends: the 87 MiB are held twice
        // only while loading.
        let weights = read(dir, WEIGHTS_FILE)?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
            .map_err(|e| corrupt(WEIGHTS_FILE, e.to_string()))?;
        let encoder =
            Encoder::load(vb, &config).map_err(|e| corrupt(WEIGHTS_FILE, e.to_string()))?;
        Ok(Embedder {
            encoder,
            tokenizer,
            dir: dir.to_path_buf(),
        })
    }

    /// The folder the model was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The token ids the model reads for `text`: `[CLS]`, the WordPiece tokens, `[SEP]`, at
    /// most [`MAX_TOKENS`] in all (a longer text is cut there).
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>, EmbedError> {
        let e = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| EmbedError::Inference(format!("tokenizing: {e}")))?;
        Ok(e.get_ids().to_vec())
    }

    /// One unit vector of [`DIM`] components per text, in order. Texts longer than
    /// [`MAX_TOKENS`] tokens are read up to there; an empty text gets the embedding of
    /// `[CLS] [SEP]`, as sentence-transformers gives it.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        on_the_pool(|| self.embed_here(texts))
    }

    fn embed_here(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EmbedError::Inference(format!("tokenizing: {e}")))?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        let mut out = Vec::with_capacity(texts.len());
        let mut rest = ids.as_slice();
        while !rest.is_empty() {
            // A run of texts ends at BATCH of them or PACKED tokens, so memory stays bounded.
            let mut tokens = 0;
            let n = (rest.iter().take(BATCH))
                .take_while(|r| {
                    tokens += r.len();
                    tokens <= PACKED
                })
                .count()
                .max(1);
            let (run, after) = rest.split_at(n);
            out.extend(self.embed_run(run)?);
            rest = after;
        }
        Ok(out)
    }

    /// Embed token id sequences in one pass of the encoder.
    fn embed_run(&self, rows: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut vectors = self.encoder.pooled(rows)?;
        for v in &mut vectors {
            let norm = dot(v, v).sqrt().max(1e-12);
            v.iter_mut().for_each(|x| *x /= norm);
        }
        if vectors.iter().flatten().any(|x| !x.is_finite()) {
            return Err(EmbedError::Corrupt {
                path: self.dir.join(WEIGHTS_FILE),
                reason: "the model computed a non-finite embedding".into(),
            });
        }
        Ok(vectors)
    }
}

impl Embed for Embedder {
    fn embed(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
        Ok(Embedder::embed(self, texts)?)
    }

    fn name(&self) -> &str {
        "all-MiniLM-L6-v2"
    }
}

/// A deterministic stand-in for tests that need no model: each word's crude stem is hashed to a
/// signed component, and the counts are normalised. Texts sharing stems are close; nothing else
/// is, so it knows no synonyms. A text with no words but stop words gets the zero vector.
#[derive(Debug, Default, Clone, Copy)]
pub struct FakeEmbedder;

/// The word with a common English ending and a final "e" cut off, keeping at least three
/// letters: "features", "feature" and "featured" share "featur".
fn stem(word: &str) -> &str {
    let long_enough = |w: &str| w.chars().count() >= 3;
    let mut w = word;
    for suffix in ["ing", "ed", "es", "ly", "s"] {
        if let Some(rest) = w.strip_suffix(suffix)
            && long_enough(rest)
        {
            w = rest;
            break;
        }
    }
    match w.strip_suffix('e') {
        Some(rest) if long_enough(rest) => rest,
        _ => w,
    }
}

/// Words too common to say anything about a sentence's topic.
const STOP_WORDS: [&str; 24] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "i", "in", "is", "it", "of", "on",
    "or", "so", "that", "the", "this", "to", "we", "with", "you",
];

/// FNV-1a: stable across Rust versions and platforms, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl FakeEmbedder {
    pub fn vector(text: &str) -> Vec<f32> {
        let mut v = vec![0f32; DIM];
        let lower = text.to_lowercase();
        for word in lower.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() || STOP_WORDS.contains(&word) {
                continue;
            }
            let h = fnv1a(stem(word).as_bytes());
            let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
            v[(h % DIM as u64) as usize] += sign;
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }
}

impl Embed for FakeEmbedder {
    fn embed(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
        Ok(texts.iter().map(|t| FakeEmbedder::vector(t)).collect())
    }

    fn name(&self) -> &str {
        "fake (hashed word stems)"
    }
}

/// `f` run on one of the threads candle computes with, the calling thread waiting. Between
/// the model's steps candle's workers spin a while before they sleep, so a caller outside
/// their pool shares the two cores with both of them: a turn's reading took 28.7 ms that way,
/// 24.4 ms on the pool.
pub fn on_the_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| f())
}

/// The cosine similarity of two vectors (their dot product when both have unit length); 0 when
/// either is zero.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (na, nb) = (dot(a, a).sqrt(), dot(b, b).sqrt());
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot(a, b) / (na * nb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(v: &[f32]) -> f32 {
        v.iter().map(|x| x * x).sum::<f32>().sqrt()
    }

    #[test]
    fn fake_is_deterministic_normalised_and_shares_stems() {
        let e = FakeEmbedder;
        let v = e
            .embed(&[
                "Monitoring the drift of features",
                "we monitor feature drift",
                "The carousel holds twelve items",
                "",
                "¿Cuántos artículos? 多少个",
            ])
            .unwrap();
        assert_eq!(v.len(), 5);
        assert!(v.iter().all(|x| x.len() == DIM));
        for x in [&v[0], &v[1], &v[2], &v[4]] {
            assert!((norm(x) - 1.0).abs() < 1e-6);
        }
        assert_eq!(norm(&v[3]), 0.0, "no words, no direction");
        assert!(cosine(&v[0], &v[1]) > 0.5, "{}", cosine(&v[0], &v[1]));
        assert!(cosine(&v[0], &v[2]) < cosine(&v[0], &v[1]));
        assert_eq!(
            v[0],
            FakeEmbedder::vector("Monitoring the drift of features")
        );
        assert!(e.embed(&[]).unwrap().is_empty());
    }

    #[test]
    fn stems_cut_endings_but_keep_short_words() {
        assert_eq!(stem("monitoring"), "monitor");
        assert_eq!(stem("features"), "featur");
        assert_eq!(stem("feature"), "featur");
        assert_eq!(stem("the"), "the");
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("is"), "is");
    }

    #[test]
    fn a_missing_folder_names_the_file_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let e = Embedder::load(dir.path()).unwrap_err();
        assert!(matches!(e, EmbedError::Missing { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(msg.contains("model.safetensors"), "{msg}");
        assert!(msg.contains("casecoach setup"), "{msg}");
    }

    #[test]
    fn damaged_files_are_errors_that_name_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        let config = r#"{"vocab_size": 30522, "hidden_size": 384, "num_hidden_layers": 6,
            "num_attention_heads": 12, "intermediate_size": 1536, "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1, "max_position_embeddings": 512, "type_vocab_size": 2,
            "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0}"#;
        let tokenizer = r###"{"version": "1.0", "truncation": null, "padding": null,
            "added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "Whitespace"},
            "post_processor": null, "decoder": null,
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": {"[UNK]": 0, "[PAD]": 1, "a": 2}}}"###;

        let expect = |file: &str| {
            let e = Embedder::load(p).unwrap_err();
            let msg = e.to_string();
            assert!(matches!(e, EmbedError::Corrupt { .. }), "{msg}");
            assert!(msg.contains(file), "{msg}");
            assert!(msg.contains("casecoach setup"), "{msg}");
        };
        std::fs::write(p.join(CONFIG_FILE), "{ not json").unwrap();
        std::fs::write(p.join(TOKENIZER_FILE), "").unwrap();
        std::fs::write(p.join(WEIGHTS_FILE), b"\x08\0\0\0\0\0\0\0{}").unwrap();
        expect(CONFIG_FILE);

        std::fs::write(p.join(CONFIG_FILE), config.replace("384", "768")).unwrap();
        expect(CONFIG_FILE);

        std::fs::write(p.join(CONFIG_FILE), config).unwrap();
        expect(TOKENIZER_FILE);

        std::fs::write(p.join(TOKENIZER_FILE), tokenizer).unwrap();
        std::fs::write(p.join(WEIGHTS_FILE), b"not a safetensors file").unwrap();
        expect(WEIGHTS_FILE);

        // A well-formed safetensors file without the model's tensors.
        std::fs::write(p.join(WEIGHTS_FILE), b"\x02\0\0\0\0\0\0\0{}").unwrap();
        expect(WEIGHTS_FILE);
    }
}
