//! A scenario's own checkpoints (a coding round's "explains the implementation", "says how to
//! test it") have no trained head: their cues find them. But a cue word is not the content:
//! "I renamed the helper so it reads better" says "helper" and explains nothing. So a cue hit
//! counts only when the sentence also comes near what the checkpoint asks for in meaning: its
//! title or its model answer. A sentence very near the nearest of them shows it with no cue word.

use super::embed::{Embed, cosine};
use crate::scenario::Scenario;
use anyhow::Result;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How near a sentence must come to a checkpoint's title or answer for its cue hit to count.
/// Chosen on the tuning half of the coding-round lines (`corpus/coding/`, 243 lines, 119 credits
/// due): with no gate the reader gave 57 right credits and 34 wrong, 13 of the 124 lines that
/// show nothing credited; at 0.35, 55 and 24; at 0.45, 51 and 9 with 2 such lines; at 0.5, 46
/// and 5, but recall falls.
pub const SUPPORT: f32 = 0.45;

/// How near, with no cue, for the meaning alone to show a checkpoint, which must also be the
/// nearest of the round's own: they sit close together ("explains the implementation" and
/// "names the edge cases"). On the same lines, with `SUPPORT`: 0.5 gave 76 right and 19 wrong,
/// 0.55 69 and 16, 0.6 64 and 15, none 51 and 9.
pub const ALONE: f32 = 0.55;

/// The embedded title and answer of each of a scenario's checkpoints, by its index: `None` for
/// the framework's.
type Embedded = Vec<Option<Vec<Vec<f32>>>>;

/// Each scenario's `Embedded`, by the scenario's hash: embedded once per scenario.
#[derive(Default)]
pub struct OwnCheckpointCache {
    embedded: Mutex<HashMap<String, Arc<Embedded>>>,
}

impl OwnCheckpointCache {
    fn get(&self, scenario: &Scenario, embed: &dyn Embed) -> Result<Arc<Embedded>> {
        if let Some(v) = self.embedded.lock().unwrap().get(&scenario.hash) {
            return Ok(v.clone());
        }
        let mut out = Vec::with_capacity(scenario.checkpoints.len());
        for c in &scenario.checkpoints {
            if c.core {
                out.push(None);
                continue;
            }
            let texts: Vec<&str> = [Some(c.title.as_str()), c.answer.as_deref()]
                .into_iter()
                .flatten()
                .filter(|t| !t.trim().is_empty())
                .collect();
            out.push(Some(if texts.is_empty() {
                Vec::new()
            } else {
                embed.embed(&texts)?
            }));
        }
        let out = Arc::new(out);
        (self.embedded.lock().unwrap()).insert(scenario.hash.clone(), out.clone());
        Ok(out)
    }

    /// How near a sentence (embedded as `v`) comes to each own checkpoint's title or answer,
    /// by the scenario's checkpoint index: `None` for the framework's and for one with neither
    /// written, which its cues alone decide.
    pub fn supports(
        &self,
        scenario: &Scenario,
        embed: &dyn Embed,
        v: &[f32],
    ) -> Result<Vec<Option<f32>>> {
        let all = self.get(scenario, embed)?;
        Ok(all
            .iter()
            .map(|vs| {
                (vs.as_ref())
                    .filter(|vs| !vs.is_empty())
                    .map(|vs| vs.iter().map(|t| cosine(v, t)).fold(f32::MIN, f32::max))
            })
            .collect())
    }
}
