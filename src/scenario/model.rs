//! A scenario as the interview uses it: validated, with cues compiled and references resolved to
//! indices, so nothing downstream re-checks a file or looks an id up by name on every turn.

use crate::cue::CueSet;
use crate::framework::StageMap;
use crate::framework::{InterviewType, Stage};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Persona {
    pub name: String,
    pub role: String,
    pub style: String,
    pub greeting: String,
    pub closing: Option<String>,
    /// Their answer to the candidate's questions at the close (the team, the role, next steps).
    pub about: Option<String>,
    pub acknowledgements: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Fact {
    pub id: String,
    pub cues: CueSet,
    pub answer: String,
    /// Example questions that ask for it, in the author's words.
    pub questions: Vec<String>,
    /// Index into `Scenario::checkpoints`: the clarify checkpoint asking for it shows.
    pub checkpoint: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub text: String,
    /// Index into `Scenario::checkpoints`: ask this once that checkpoint is covered.
    pub after: Option<usize>,
    /// A claim it follows up: ask this right after the candidate states one of these.
    pub when: Option<CueSet>,
    /// Checkpoints (of any stage) its own words name, read once from the cues.
    pub names: Vec<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct StagePlan {
    pub opening: Option<String>,
    pub probes: Vec<Probe>,
    pub hints: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub id: String,
    pub stage: Stage,
    pub title: String,
    pub weight: f64,
    pub cues: CueSet,
    pub answer: Option<String>,
    /// One of the 37 of FRAMEWORK.md (as opposed to a scenario's own).
    pub core: bool,
}

#[derive(Debug, Clone)]
pub struct Curveball {
    pub stage: Stage,
    pub after: Option<usize>,
    pub text: String,
    /// Checkpoints (of any stage) its own words name, read once from the cues.
    pub names: Vec<usize>,
}

/// The checkpoints a scenario question names, by their cues alone: a question shows none of
/// what it names, so the act is not read; cues, so a replay reads the same.
pub fn named_in(checkpoints: &[Checkpoint], text: &str) -> Vec<usize> {
    let sentences: Vec<crate::cue::Tokens> = crate::cue::sentences(text)
        .into_iter()
        .map(|r| crate::cue::Tokens::new(&text[r]))
        .collect();
    (checkpoints.iter().enumerate())
        .filter(|(_, c)| sentences.iter().any(|t| c.cues.matches(t)))
        .map(|(i, _)| i)
        .collect()
}

/// A wrong move the scenario expects: what gives it away, the challenge, and what is right.
#[derive(Debug, Clone)]
pub struct Misconception {
    pub id: String,
    pub stage: Stage,
    pub title: String,
    pub cues: CueSet,
    /// Phrases that show a sentence knows better, on top of the general ones.
    pub unless: CueSet,
    pub examples: Vec<String>,
    pub pushback: String,
    pub correction: String,
    /// A back-of-the-envelope check: the mistake is a number for `cues` out of range.
    pub estimate: Option<Estimate>,
}

/// The range a candidate's number for a quantity should fall in.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub low: f64,
    pub high: f64,
    /// The factor a number may stray outside [low, high] and still pass.
    pub within: f64,
    pub unit: crate::quantity::Unit,
}

impl Estimate {
    pub fn passes(&self, value: f64) -> bool {
        value >= self.low / self.within && value <= self.high * self.within
    }
}

/// The most words between a number and the cue that says what it counts ("20,000 requests
/// per second", "QPS of about 20k"), within one clause.
const NUMBER_REACH: usize = 3;

/// What ends a clause: a number and a cue on either side of one belong to different things.
const CLAUSE_BREAKS: [char; 5] = [',', ';', ':', '(', ')'];

impl Misconception {
    /// Whether a sentence shows it knows better than this mistake: a phrase of the scenario's
    /// (`unless`), or a negation or a warning anywhere in it. For a reading by meaning, where no
    /// cue locates the mistake in the sentence.
    pub fn known_better(&self, tokens: &crate::cue::Tokens) -> bool {
        self.unless.matches(tokens) || knows_better().matches(tokens)
    }

    /// Whether a statement (the caller has ruled out questions, dismissals and talk to the
    /// grader) states this mistake.
    pub fn stated(&self, sentence: &str, tokens: &crate::cue::Tokens) -> bool {
        self.evidence(sentence, tokens).is_some()
    }

    /// Where a statement states this mistake (byte span), if it does. A cue matches and nothing
    /// in it shows the speaker knows better: a negation or a warning word anywhere in the
    /// sentence is enough to hold back, since a wrong challenge of a right answer costs more
    /// than a missed one. For an estimate, the number nearest a cue is out of range; the span
    /// runs from the number to the cue.
    pub fn evidence(
        &self,
        sentence: &str,
        tokens: &crate::cue::Tokens,
    ) -> Option<std::ops::Range<usize>> {
        if self.unless.matches(tokens) {
            return None;
        }
        match &self.estimate {
            None => says(&self.cues, tokens),
            Some(e) => self
                .estimated(sentence, tokens, e)
                .filter(|(q, _)| !e.passes(q.value))
                .map(|(_, span)| span),
        }
    }

    /// The number a statement gives for this estimate's quantity, and the span from it to its
    /// cue: of the numbers in the unit, the one fewest words from a cue.
    fn estimated(
        &self,
        sentence: &str,
        tokens: &crate::cue::Tokens,
        e: &Estimate,
    ) -> Option<(crate::quantity::Quantity, std::ops::Range<usize>)> {
        let quantities: Vec<_> = crate::quantity::all(sentence)
            .into_iter()
            .filter(|q| q.unit == e.unit)
            .collect();
        // The words a span covers, as token indices.
        let words = |span: &std::ops::Range<usize>| {
            let inside: Vec<usize> = (tokens.tokens.iter().enumerate())
                .filter(|(_, t)| t.span.start < span.end && t.span.end > span.start)
                .map(|(i, _)| i)
                .collect();
            Some((*inside.first()?, *inside.last()?))
        };
        let mut best: Option<(usize, crate::quantity::Quantity, std::ops::Range<usize>)> = None;
        for cue in self.cues.find_all(tokens) {
            let (first, last) = (cue[0], cue[cue.len() - 1]);
            // A cue's words must stand in one clause: "searches a day, 5,000 a second" is
            // two quantities, not one count of searches per second.
            let cue_span = tokens.tokens[first].span.start..tokens.tokens[last].span.end;
            if sentence[cue_span.clone()].contains(CLAUSE_BREAKS) {
                continue;
            }
            for q in &quantities {
                let Some((a, b)) = words(&q.span) else {
                    continue;
                };
                let gap = if b < first {
                    first - b - 1
                } else if a > last {
                    a - last - 1
                } else {
                    continue;
                };
                let span = q.span.start.min(cue_span.start)..q.span.end.max(cue_span.end);
                // A clause break between them ("50,000 merchants, and requests per second")
                // means the number counts something else.
                let between =
                    &sentence[q.span.end.min(cue_span.end)..q.span.start.max(cue_span.start)];
                if gap <= NUMBER_REACH
                    && !between.contains(CLAUSE_BREAKS)
                    && best.as_ref().is_none_or(|(g, ..)| gap < *g)
                {
                    best = Some((gap, q.clone(), span));
                }
            }
        }
        best.map(|(_, q, span)| (q, span))
    }

    /// The challenge to say: for an estimate, `{said}` becomes the candidate's number as they
    /// wrote it in `quote`.
    pub fn pushback_for(&self, quote: &str) -> String {
        if !self.pushback.contains("{said}") {
            return self.pushback.clone();
        }
        let tokens = crate::cue::Tokens::new(quote);
        let said = (self.estimate.as_ref())
            .and_then(|e| self.estimated(quote, &tokens, e))
            .map_or("that number".to_string(), |(q, _)| {
                quote[q.span].to_string()
            });
        self.pushback.replace("{said}", &said)
    }
}

/// Where a statement says one of `cues` as its own claim (the byte span of the first such
/// match): nothing around the match negates it or warns about it. A word the cue itself spells
/// ("haven't cancelled yet") is part of the claim, not a sign of knowing better: only the words
/// around the match can hold it back. The caller has ruled out questions and dismissals.
pub fn says(cues: &CueSet, tokens: &crate::cue::Tokens) -> Option<std::ops::Range<usize>> {
    cues.find_all(tokens).into_iter().find_map(|words| {
        let (first, last) = (words[0], words[words.len() - 1]);
        // Every word but the cue's own: a negation inside the span a wildcard spans ("ROC AUC
        // is not enough") holds back as much as one outside it.
        let around = crate::cue::Tokens {
            tokens: (tokens.tokens.iter().enumerate())
                .filter(|(i, _)| !words.contains(i))
                .map(|(_, t)| t.clone())
                .collect(),
        };
        (!knows_better().matches(&around))
            .then(|| tokens.tokens[first].span.start..tokens.tokens[last].span.end)
    })
}

/// Words that show a sentence about a mistake is not making it: negations ("n't" is the token
/// "t"), and words that warn.
fn knows_better() -> &'static CueSet {
    static CUES: std::sync::OnceLock<CueSet> = std::sync::OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "not",
            "t",
            "never",
            "avoid*",
            "instead",
            "rather than",
            "misleading",
            "meaningless",
            "useless",
            "pointless",
            "wrong",
            "mistake*",
            "error*",
            "leak*",
            "trap*",
            "pitfall*",
            "bad idea",
            "careful",
            "beware",
            "fail*",
            "naive*",
            "tempting",
            "problem with",
            "danger*",
            "the risk is",
            "cheat*",
            "bias*",
            "inflat*",
            "optimistic",
            "unless",
            "only after",
            "after the split",
            "trivial",
            "catches nothing",
            "approve everything",
            "approves everything",
            "nobody",
            "nothing",
        ])
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    File(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub kind: InterviewType,
    pub minutes: u32,
    pub prompt: String,
    pub unplanned_answer: String,
    pub persona: Persona,
    pub facts: Vec<Fact>,
    pub stages: StageMap<StagePlan>,
    /// The 37 framework checkpoints in FRAMEWORK.md order, then the scenario's own.
    pub checkpoints: Vec<Checkpoint>,
    pub curveballs: Vec<Curveball>,
    pub misconceptions: Vec<Misconception>,
    pub origin: Origin,
    /// Minutes per stage then wrap-up, for a session of `minutes`, when the file sets them.
    pub budget: Option<[f64; 9]>,
    /// FNV-1a of the source text, so a resumed session can tell the scenario changed under it.
    pub hash: String,
    /// Terms to prime a speech recogniser with.
    pub vocabulary: Vec<String>,
    /// A coding round's task; every coding-ml scenario has one, no other has.
    pub task: Option<std::sync::Arc<crate::coding::Task>>,
}

impl Scenario {
    pub fn stage(&self, s: Stage) -> &StagePlan {
        &self.stages[s]
    }

    /// What `stage` is called in this round.
    pub fn stage_name(&self, stage: Stage) -> &'static str {
        self.kind.stage_name(stage)
    }

    /// What the candidate should get done in `stage` of this round.
    pub fn stage_goal(&self, stage: Stage) -> &'static str {
        self.kind.stage_goal(stage)
    }

    /// Where `stage` stands among the stages the round visits (from 1), and how many it visits.
    pub fn stage_number(&self, stage: Stage) -> (usize, usize) {
        let visited: Vec<Stage> = Stage::ALL
            .into_iter()
            .filter(|&s| self.in_round(s))
            .collect();
        let at = visited
            .iter()
            .position(|&s| s == stage)
            .map_or(0, |i| i + 1);
        (at, visited.len())
    }

    /// Whether the round visits `stage`: a budget that gives a stage no minutes leaves it out
    /// (a coding round has no feature or training stage of its own).
    pub fn in_round(&self, stage: Stage) -> bool {
        self.budget.is_none_or(|b| b[stage.index()] > 0.0)
    }

    /// Whether the round asks for checkpoint `i` at all: it weighs something, in a stage the
    /// round visits. One it does not ask for is never a miss, a gap or a to-do.
    pub fn asks_for(&self, i: usize) -> bool {
        let c = &self.checkpoints[i];
        c.weight > 0.0 && self.in_round(c.stage)
    }

    /// The stage after `stage` in this round; none after the last.
    pub fn next_stage(&self, stage: Stage) -> Option<Stage> {
        Stage::ALL[stage.index() + 1..]
            .iter()
            .copied()
            .find(|&s| self.in_round(s))
    }

    pub fn checkpoint_index(&self, id: &str) -> Option<usize> {
        self.checkpoints.iter().position(|c| c.id == id)
    }

    pub fn misconception_index(&self, id: &str) -> Option<usize> {
        self.misconceptions.iter().position(|m| m.id == id)
    }

    /// What to pass to `--scenario` or `chat` to load this scenario again.
    pub fn locator(&self) -> String {
        match &self.origin {
            Origin::Builtin => self.id.clone(),
            Origin::File(p) => p.display().to_string(),
        }
    }
}
