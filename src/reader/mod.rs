//! The reading of a candidate's turn (issue 10). Its first layer: the sentence-embedding model
//! ([`embed`]).

pub mod embed;

pub use embed::{Embed, EmbedError, Embedder, FakeEmbedder};
