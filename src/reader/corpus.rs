//! The labelled corpus (`corpus/*.jsonl`, described in `corpus/FORMAT.md`): the reader's
//! training data and its test set. The held-out fifth is fixed by a hash of each line's
//! paraphrase group, so it was chosen before any training and no paraphrase of a test sentence
//! is trained on.

use crate::framework::Stage;
use crate::scenario::Scenario;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The scenarios the corpus talks about: the built-ins by id, anything else as `general`.
pub struct Scenarios(HashMap<String, Arc<Scenario>>, Arc<Scenario>);

impl Scenarios {
    pub fn load() -> Result<Scenarios> {
        let mut map = HashMap::new();
        for (id, _) in crate::scenario::BUILTIN {
            map.insert(id.to_string(), Arc::new(crate::scenario::load(id)?));
        }
        let general = crate::scenario::parse(
            crate::scenario::MINIMAL,
            "<general>",
            crate::scenario::Origin::Builtin,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Scenarios(map, Arc::new(general)))
    }

    /// A built-in scenario by its id.
    pub fn named(&self, id: &str) -> Option<&Arc<Scenario>> {
        self.0.get(id)
    }

    pub fn of(&self, case: &Case) -> &Arc<Scenario> {
        self.0.get(&case.scenario).unwrap_or(&self.1)
    }

    pub fn builtin(&self, case: &Case) -> bool {
        self.0.contains_key(&case.scenario)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub id: String,
    pub group: String,
    pub scenario: String,
    pub text: String,
    pub style: Style,
    pub voice: String,
    pub act: Act,
    pub checkpoints: Vec<Label>,
    pub fact: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Style {
    Written,
    Spoken,
}

/// What a sentence does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Act {
    Question,
    Proposal,
    Assumption,
    Dismissal,
    Unsure,
    Grader,
    OffTopic,
    Filler,
}

impl Act {
    pub const ALL: [Act; 8] = [
        Act::Question,
        Act::Proposal,
        Act::Assumption,
        Act::Dismissal,
        Act::Unsure,
        Act::Grader,
        Act::OffTopic,
        Act::Filler,
    ];

    pub fn index(self) -> usize {
        Act::ALL.iter().position(|a| *a == self).unwrap_or(0)
    }

    pub fn id(self) -> &'static str {
        match self {
            Act::Question => "question",
            Act::Proposal => "proposal",
            Act::Assumption => "assumption",
            Act::Dismissal => "dismissal",
            Act::Unsure => "unsure",
            Act::Grader => "grader",
            Act::OffTopic => "off-topic",
            Act::Filler => "filler",
        }
    }

    /// Acts that can earn credit: saying what one would do, asking, or assuming.
    pub fn can_earn(self) -> bool {
        matches!(self, Act::Question | Act::Proposal | Act::Assumption)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Polarity {
    Affirmed,
    Dismissed,
    Unsure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Depth {
    Named,
    Explained,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub id: String,
    pub polarity: Polarity,
    pub depth: Depth,
}

impl Case {
    /// The checkpoints this sentence earns.
    pub fn affirmed(&self) -> impl Iterator<Item = &str> {
        self.checkpoints
            .iter()
            .filter(|l| l.polarity == Polarity::Affirmed)
            .map(|l| l.id.as_str())
    }

    pub fn held_out(&self) -> bool {
        held_out(&self.group)
    }

    /// Whether it should earn nothing at all.
    pub fn negative(&self) -> bool {
        self.affirmed().next().is_none()
    }
}

/// The held-out rule: FNV-1a 64 of the group, divisible by 5.
pub fn held_out(group: &str) -> bool {
    super::exemplars::group_id(group).is_multiple_of(5)
}

/// A `.jsonl` file, or every `.jsonl` file of a folder (in name order; not its subfolders).
fn jsonl_files(path: &Path) -> Result<Vec<std::path::PathBuf>> {
    Ok(if path.is_dir() {
        let mut v: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("cannot read the corpus folder {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    })
}

/// Each line of the files, parsed and checked by `check`; an error names the file and line.
fn read_lines<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
    check: impl Fn(&T) -> Result<()>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for f in jsonl_files(path)? {
        let text = std::fs::read_to_string(&f)
            .with_context(|| format!("cannot read {what} from {}", f.display()))?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let item: T = serde_json::from_str(line)
                .with_context(|| format!("{}:{}: not {what}", f.display(), i + 1))?;
            check(&item).with_context(|| format!("{}:{}", f.display(), i + 1))?;
            out.push(item);
        }
    }
    if out.is_empty() {
        bail!("no {what} in {}", path.display());
    }
    Ok(out)
}

/// Every case in a `.jsonl` file, or in every `.jsonl` file of a folder (in name order).
pub fn load(path: &Path) -> Result<Vec<Case>> {
    read_lines(path, "a corpus case", |case: &Case| {
        for l in &case.checkpoints {
            if crate::framework::checkpoint(&l.id).is_none() {
                bail!("'{}' is not a framework checkpoint", l.id);
            }
        }
        Ok(())
    })
}

/// A follow-up question and a reply, labelled with whether the reply takes the question up
/// (`corpus/replies/*.jsonl`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyCase {
    pub id: String,
    /// Replies to one question share a group, and a side of the split.
    pub group: String,
    pub probe: String,
    pub reply: String,
    pub addresses: bool,
}

impl ReplyCase {
    /// A third of the questions, by group: there are few of them.
    pub fn held_out(&self) -> bool {
        super::exemplars::group_id(&self.group).is_multiple_of(3)
    }
}

pub fn load_replies(path: &Path) -> Result<Vec<ReplyCase>> {
    read_lines(path, "a labelled reply", |_: &ReplyCase| Ok(()))
}

/// A sentence said in a built-in scenario, labelled with the misconception of that scenario it
/// states, or none (`corpus/misconceptions/*.jsonl`). Each line is its own group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MisconceptionCase {
    pub id: String,
    pub scenario: String,
    pub text: String,
    pub misconception: Option<String>,
}

impl MisconceptionCase {
    /// Half are held out: the cues are written by hand, so the other half is all they are
    /// adjusted on.
    pub fn held_out(&self) -> bool {
        super::exemplars::group_id(&self.id).is_multiple_of(2)
    }
}

pub fn load_misconceptions(path: &Path, sc: &Scenarios) -> Result<Vec<MisconceptionCase>> {
    read_lines(path, "a labelled misconception", |c: &MisconceptionCase| {
        let Some(sc) = sc.named(&c.scenario) else {
            bail!("'{}' is not a built-in scenario", c.scenario);
        };
        if let Some(m) = &c.misconception
            && sc.misconception_index(m).is_none()
        {
            bail!("'{m}' is not a misconception of scenario '{}'", c.scenario);
        }
        Ok(())
    })
}

/// The stage a checkpoint id belongs to.
pub fn stage_of(checkpoint: &str) -> Option<Stage> {
    Stage::from_id(checkpoint.split('.').next()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<Case> {
        load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).unwrap()
    }

    #[test]
    fn the_corpus_is_what_its_format_promises() {
        let cases = corpus();
        assert!(cases.len() >= 3000, "{}", cases.len());
        let mut ids = std::collections::HashSet::new();
        assert!(cases.iter().all(|c| ids.insert(c.id.clone())), "ids repeat");
        for cp in crate::framework::CHECKPOINTS {
            let n = cases
                .iter()
                .filter(|c| c.affirmed().any(|a| a == cp.id))
                .count();
            assert!(n >= 40, "{}: {n} positives", cp.id);
        }
        assert!(cases.iter().filter(|c| c.negative()).count() >= 500);
        let spoken = cases.iter().filter(|c| c.style == Style::Spoken).count();
        assert!(spoken * 4 >= cases.len());
        assert!(cases.iter().filter(|c| c.fact.is_some()).count() >= 300);
    }

    #[test]
    fn about_a_fifth_is_held_out_by_group() {
        let cases = corpus();
        let held = cases.iter().filter(|c| c.held_out()).count();
        let share = held as f64 / cases.len() as f64;
        assert!((0.17..0.23).contains(&share), "{share}");
        // A group is never split between the two sides.
        for c in &cases {
            assert_eq!(c.held_out(), held_out(&c.group));
        }
    }
}
