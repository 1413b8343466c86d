//! casecoach: a mock interviewer for ML case-study interviews. The model speaks; the code decides.

pub mod config;
pub mod cue;
pub mod framework;
pub mod interview;
pub mod scenario;
