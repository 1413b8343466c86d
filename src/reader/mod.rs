//! The reading of a candidate's turn (issue 10). Its first layer: the sentence-embedding model
//! ([`embed`]) and where that model lives and how it is fetched ([`install`]).

pub mod embed;
pub mod install;

pub use embed::{Embed, EmbedError, Embedder, FakeEmbedder};
