//! The semantic reader: each sentence of a turn is embedded, its cue hits and a few form flags
//! are added, and small trained heads say what the sentence does (its act), which checkpoints it
//! shows and how deeply, and, for a question, which hidden fact it asks for. Rules the framework
//! states are applied on top, so no head can break them: a dismissal or an "I don't know" earns
//! nothing, a question earns only clarify checkpoints, and a clarify checkpoint is earned only
//! by asking or by stating an assumption.

use super::corpus::Act;
use super::embed::{Embed, cosine};
use super::exemplars::{self, EXEMPLARS, Exemplars};
use super::facts::{FactCache, FactVectors, best_other, fact_rows};
use super::heads::{Hidden, Linear};
use super::misconceptions::MisconceptionCache;
use super::own::{ALONE, OwnCheckpointCache, SUPPORT};
use super::projection::Projection;
use super::words::Words;
use crate::cue::{Tokens, is_question, word_count};
use crate::framework::{CHECKPOINTS, Stage};
use crate::interview::Source;
use crate::interview::coverage::{self, Analysis, Hit};
use crate::interview::{grader, requests};
use crate::scenario::Scenario;
use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The trained heads, as `casecoach train` writes them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Heads {
    /// Which embedding model the heads were trained on.
    pub embedder: String,
    /// One output per framework checkpoint, in `framework::CHECKPOINTS` order, over `hidden`'s
    /// units, or over the features themselves for heads trained before it.
    pub checkpoints: Linear,
    #[serde(default)]
    pub hidden: Option<Hidden>,
    /// The probability at which each checkpoint is credited.
    pub thresholds: Vec<f32>,
    /// One output per `Act`.
    pub act: Linear,
    /// Whether a crediting sentence explains (a reason, a number, a mechanism) or only names.
    pub explained: Linear,
    /// Scores a (question, fact) pair from their similarities.
    pub fact: Linear,
    /// The map under which questions come near their facts' prototypes.
    pub fact_projection: Projection,
    pub fact_threshold: f32,
    /// How far the best fact must score above the next to be answered.
    #[serde(default)]
    pub fact_margin: f32,
    /// The checksum of the exemplar bank the heads were trained with (`exemplars::checksum`).
    pub exemplars: String,
    /// The training lines' vocabulary, whose stems are inputs of every head but the fact one.
    #[serde(default)]
    pub words: Words,
}

impl Heads {
    /// Each checkpoint's probability for a sentence's features.
    pub fn checkpoint_probabilities(&self, x: &[f32]) -> Vec<f32> {
        match &self.hidden {
            Some(h) => self.checkpoints.sigmoid(&h.apply(x)),
            None => self.checkpoints.sigmoid(x),
        }
    }
}

/// The heads that ship with casecoach.
pub const HEADS: &str = include_str!("heads.json");

/// Words that turn a sentence around: the reader learns what they do, but needs to see them.
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "without",
    "skip",
    "later",
    "nt",
    "dont",
    "wont",
    "cant",
    "neither",
    "nor",
    "unnecessary",
    "overkill",
    "pointless",
];
const REASONS: &[&str] = &[
    "because",
    "since",
    "so",
    "therefore",
    "means",
    "avoid",
    "otherwise",
];

/// Extra inputs beside the embedding and the cue hits.
pub const FLAGS: usize = 7;

/// The inputs the heads see for one sentence: its embedding, its nearness to the exemplars
/// (`exemplars::FEATURES` of them), its words (`Words::vector`), its cue hits (one per
/// checkpoint) and `FLAGS` form flags, in that order.
pub fn features(
    embedding: &[f32],
    near: &[f32],
    words: &[f32],
    cues: &[f32],
    sentence: &str,
) -> Vec<f32> {
    let tokens = Tokens::new(sentence);
    let lower: Vec<String> = tokens
        .tokens
        .iter()
        .map(|t| t.lower.replace('\'', ""))
        .collect();
    let has = |list: &[&str]| lower.iter().any(|w| list.contains(&w.as_str())) as u8 as f32;
    let mut x = Vec::with_capacity(embedding.len() + near.len() + words.len() + cues.len() + FLAGS);
    x.extend_from_slice(embedding);
    x.extend_from_slice(near);
    x.extend_from_slice(words);
    x.extend_from_slice(cues);
    x.push(is_question(sentence, &tokens) as u8 as f32);
    x.push(has(NEGATIONS));
    x.push(sentence.chars().any(|c| c.is_ascii_digit()) as u8 as f32);
    x.push(has(REASONS));
    x.push(grader::is_instruction(sentence) as u8 as f32);
    // The lexical reader's act rules: dismissals and "I don't know" are rare in the corpus, and
    // their phrasings are more alike than their embeddings.
    x.push(coverage::is_dismissal(sentence) as u8 as f32);
    x.push(coverage::sounds_unsure(sentence) as u8 as f32);
    x
}

/// For each framework checkpoint, whether the scenario's cues for it match the sentence.
pub fn cue_hits(scenario: &Scenario, sentence: &str) -> Vec<f32> {
    let tokens = Tokens::new(sentence);
    CHECKPOINTS
        .iter()
        .map(|def| {
            scenario
                .checkpoints
                .iter()
                .find(|c| c.id == def.id)
                .is_some_and(|c| c.cues.matches(&tokens)) as u8 as f32
        })
        .collect()
}

/// What the reader decides for one sentence.
#[derive(Debug, Clone)]
pub struct SentenceReading {
    pub act: Act,
    /// Credited checkpoints (framework order index) with their probability.
    pub checkpoints: Vec<(usize, f32)>,
    /// For a dismissal, the checkpoints it waves away (framework order index).
    pub dismissed: Vec<usize>,
    pub explained: bool,
}

/// The framework's rules over the heads' guesses. `grading`: the sentence speaks of the
/// assessment at all (`grader::speaks_of_grading`); without it, the act head's "talk to the
/// grader" gives way to its next guess, since a false one tells the debrief the candidate tried
/// to game the grader.
pub fn decide(
    heads: &Heads,
    x: &[f32],
    instruction: bool,
    grading: bool,
    question: bool,
) -> SentenceReading {
    let mut act_p = heads.act.softmax(x);
    if !instruction && !grading {
        act_p[Act::Grader.index()] = 0.0;
    }
    let mut act = Act::ALL[argmax(&act_p)];
    if instruction {
        act = Act::Grader;
    }
    // Speech-to-text drops question marks; the interrogative form still asks. An assumption
    // put as a question ("Can I assume a year of labels?", "...under one percent, right") asks
    // the interviewer to confirm it, and may be answered.
    if question && matches!(act, Act::Proposal | Act::Assumption) {
        act = Act::Question;
    }
    let mut checkpoints = Vec::new();
    let mut dismissed = Vec::new();
    let p_all = heads.checkpoint_probabilities(x);
    if act == Act::Dismissal {
        // The heads learned what a sentence shows, not what it waves away; a cue, or half the
        // usual confidence, names the topic dismissed.
        let cues = &x[x.len() - FLAGS - CHECKPOINTS.len()..x.len() - FLAGS];
        for (k, p) in p_all.iter().enumerate() {
            if cues[k] > 0.0 || *p >= heads.thresholds[k] / 2.0 {
                dismissed.push(k);
            }
        }
    }
    if act.can_earn() {
        for (k, p) in p_all.into_iter().enumerate() {
            let clarify = CHECKPOINTS[k].stage == Stage::Clarify;
            let allowed = match act {
                Act::Question => clarify,
                Act::Assumption => true,
                _ => !clarify,
            };
            if allowed && p >= heads.thresholds[k] {
                checkpoints.push((k, p));
            }
        }
    }
    let explained = heads
        .explained
        .sigmoid(x)
        .first()
        .is_some_and(|p| *p >= 0.5);
    SentenceReading {
        act,
        checkpoints,
        dismissed,
        explained,
    }
}

fn argmax(v: &[f32]) -> usize {
    (0..v.len())
        .max_by(|a, b| v[*a].total_cmp(&v[*b]))
        .unwrap_or(0)
}

/// The reader that uses the embedding model and the trained heads.
pub struct Semantic {
    embed: Box<dyn Embed>,
    heads: Heads,
    bank: Exemplars,
    facts: FactCache,
    misconceptions: MisconceptionCache,
    own: OwnCheckpointCache,
}

impl Semantic {
    /// A reader from heads and the bank they were trained with; refused if they do not match,
    /// since heads read nearness to the exemplars they learned on.
    pub fn new(embed: Box<dyn Embed>, heads: Heads, bank: Exemplars) -> Result<Semantic> {
        let sum = exemplars::checksum(&bank);
        if heads.exemplars != sum {
            bail!(
                "the reader's heads were trained with exemplars {}, not {sum}; `casecoach train` makes a matching pair",
                heads.exemplars
            );
        }
        Ok(Semantic {
            embed,
            facts: FactCache::new(heads.words.clone()),
            misconceptions: MisconceptionCache::default(),
            own: OwnCheckpointCache::default(),
            heads,
            bank,
        })
    }

    /// With the heads and exemplars that ship with casecoach.
    pub fn shipped(embed: Box<dyn Embed>) -> Result<Semantic> {
        let heads = serde_json::from_str(HEADS)
            .map_err(|e| anyhow::anyhow!("the reader's heads do not parse: {e}"))?;
        Semantic::new(embed, heads, Exemplars::from_bytes(EXEMPLARS)?)
    }

    pub fn name(&self) -> String {
        format!("semantic ({})", self.embed.name())
    }

    /// Read one turn.
    pub fn analyse(&self, scenario: &Scenario, text: &str) -> Result<Analysis> {
        super::embed::on_the_pool(|| self.analyse_here(scenario, text))
    }

    fn analyse_here(&self, scenario: &Scenario, text: &str) -> Result<Analysis> {
        let mut a = Analysis::default();
        let (ranges, truncated) = coverage::bounded(text);
        a.truncated = truncated;
        let texts: Vec<&str> = ranges.iter().map(|r| text[r.clone()].trim()).collect();
        let texts: Vec<&str> = texts.into_iter().filter(|t| !t.is_empty()).collect();
        if texts.is_empty() {
            a.stuck = true;
            return Ok(a);
        }
        let vectors = self.embed.embed(&texts)?;
        let facts = self.facts.get(scenario, self.embed.as_ref(), &self.bank)?;
        // The best sentence for each checkpoint is its evidence.
        let mut best: HashMap<usize, (f32, &str, bool)> = HashMap::new();
        let mut dismissed: HashMap<usize, &str> = HashMap::new();
        let rows: Vec<&[f32]> = vectors.iter().map(Vec::as_slice).collect();
        let nears = self.bank.features_of(&rows, None);
        for ((sentence, v), near) in texts.iter().zip(&vectors).zip(nears) {
            let tokens = Tokens::new(sentence);
            let instruction = grader::is_instruction(sentence);
            let question = is_question(sentence, &tokens);
            let x = features(
                v,
                &near,
                &self.heads.words.vector(sentence),
                &cue_hits(scenario, sentence),
                sentence,
            );
            let grading = grader::speaks_of_grading(sentence);
            let r = decide(&self.heads, &x, instruction, grading, question);
            // From here on, checkpoints are the scenario's (framework ones first, then its own).
            let index = |k: usize| scenario.checkpoint_index(CHECKPOINTS[k].id);
            let mut credited: Vec<(usize, f32)> = (r.checkpoints.iter())
                .filter_map(|&(k, p)| Some((index(k)?, p)))
                .collect();
            let mut waved: Vec<usize> = r.dismissed.iter().filter_map(|&k| index(k)).collect();
            // A scenario's own checkpoint has no trained head: its cues find it, its title and
            // answer confirm it by meaning, under the same act rules (a question earns only
            // clarify, a dismissal waves it away).
            let supports = self.own.supports(scenario, self.embed.as_ref(), v)?;
            let nearest = (supports.iter().enumerate())
                .filter_map(|(i, s)| Some((i, (*s)?)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i);
            for (i, c) in (scenario.checkpoints.iter().enumerate()).filter(|(_, c)| !c.core) {
                let cued = c.cues.matches(&tokens);
                let support = supports[i].unwrap_or(1.0);
                // Without a cue, only the nearest of them, and only when near: the own
                // checkpoints of one round sit close together.
                let shown = match cued {
                    true => support >= SUPPORT,
                    false => support >= ALONE && nearest == Some(i),
                };
                if !shown && !(cued && r.act == Act::Dismissal) {
                    continue;
                }
                let clarify = c.stage == Stage::Clarify;
                match r.act {
                    Act::Dismissal => waved.push(i),
                    Act::Question if clarify => credited.push((i, 1.0)),
                    Act::Assumption => credited.push((i, 1.0)),
                    Act::Proposal if !clarify => credited.push((i, 1.0)),
                    _ => {}
                }
            }
            if !question && coverage::shows_nothing(sentence) {
                credited.clear();
                waved.clear();
            }
            match r.act {
                Act::Grader => {
                    a.injections += 1;
                    continue;
                }
                // A question about the interview or the job asks nothing of the problem.
                Act::Question if requests::about_the_interview(&tokens) => {
                    a.questions += 1;
                    credited.clear();
                    waved.clear();
                }
                Act::Question => {
                    a.questions += 1;
                    if let Some(f) = self.fact_for(scenario, &facts, v, sentence, &tokens) {
                        if !a.facts.contains(&f) {
                            a.facts.push(f);
                        }
                        // Asking for the fact is asking about what it settles.
                        if let Some(k) = scenario.facts[f].checkpoint {
                            credited.push((k, 1.0));
                        }
                    }
                }
                _ => a.statements += 1,
            }
            a.words += word_count(sentence);
            // An unsure sentence ("maybe accuracy? not sure") is not a claim to challenge, nor is
            // a question or talk to the grader. The act head alone reads a flat wrong claim
            // ("PR-AUC is basically the same as ROC-AUC") as unsure or dismissive often enough
            // that the challenge never came: unsure needs the words of it too, and a dismissal
            // can be the mistake itself ("No need to sort, it's already in order"); the
            // misconception's cues hold back on a negation or a warning.
            let not_a_claim = question
                || r.act == Act::Grader
                || (r.act == Act::Unsure && coverage::sounds_unsure(sentence))
                || coverage::shows_nothing(sentence);
            // A sentence states one mistake as a rule: nearness, which blurs neighbouring
            // mistakes, only speaks where the cues found none.
            if !not_a_claim {
                let cued = coverage::misconceptions_in(scenario, sentence, &tokens, &mut a);
                let line = Exemplars::nearest(&near);
                let embed = self.embed.as_ref();
                if !cued
                    && let Some(i) =
                        (self.misconceptions).stated(scenario, embed, v, line, &tokens)?
                {
                    a.stated(i, sentence);
                }
            }
            for k in waved {
                dismissed.entry(k).or_insert(sentence);
            }
            for (k, p) in credited {
                // Depth is the head's for the checkpoints it was trained on: on the tuning lines
                // it reads depth better than the cue rule does. A scenario's own checkpoint,
                // credited by its cues, takes the cue rule's depth too.
                let named = match scenario.checkpoints[k].core {
                    true => !r.explained,
                    false => coverage::only_names(sentence),
                };
                // An explaining sentence is better evidence than a naming one.
                let rank = p + if named { 0.0 } else { 1.0 };
                let e = best.entry(k).or_insert((rank, sentence, named));
                if rank > e.0 {
                    *e = (rank, sentence, named);
                }
            }
        }
        let mut hits: Vec<(usize, &str, bool)> =
            best.iter().map(|(k, (_, s, n))| (*k, *s, *n)).collect();
        hits.sort();
        // A checkpoint waved away in one sentence and shown in another is shown.
        let mut waved: Vec<(usize, &str, bool)> = dismissed
            .into_iter()
            .filter(|(k, _)| !best.contains_key(k))
            .map(|(k, s)| (k, s, false))
            .collect();
        waved.sort();
        let hit = |(k, sentence, named): (usize, &str, bool)| {
            Some(Hit {
                checkpoint: k,
                quote: sentence.to_string(),
                focus: 0..sentence.len(),
                source: Source::Semantic,
                named,
            })
        };
        a.hits = hits.into_iter().filter_map(hit).collect();
        a.dismissed = waved.into_iter().filter_map(hit).collect();
        a.stuck = coverage::is_stuck(text);
        Ok(a)
    }

    /// How closely a reply takes up a question: the best cosine between a question sentence
    /// of `asked` (all of it, if none is a question) and a sentence of `reply`.
    pub fn relatedness(&self, asked: &str, reply: &str) -> Result<f32> {
        let pieces = |t: &str| -> Vec<String> {
            crate::cue::sentences(t)
                .into_iter()
                .map(|r| t[r].trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let questions: Vec<String> = coverage::questions_in(asked)
            .into_iter()
            .map(str::to_string)
            .collect();
        let replies = pieces(reply);
        if replies.is_empty() || asked.trim().is_empty() {
            return Ok(0.0);
        }
        let mut texts: Vec<&str> = questions.iter().map(String::as_str).collect();
        texts.extend(replies.iter().map(String::as_str));
        let v = self.embed.embed(&texts)?;
        let (q, r) = v.split_at(questions.len());
        let near = q
            .iter()
            .flat_map(|a| r.iter().map(move |b| cosine(a, b)))
            .fold(0.0f32, f32::max);
        // Question and answer embed apart even when they match; shared content words are the
        // other half of the evidence.
        Ok((near + coverage::shared_words(asked, reply)) / 2.0)
    }

    /// The fact a question asks for, if the heads are sure enough of one.
    fn fact_for(
        &self,
        scenario: &Scenario,
        facts: &[FactVectors],
        question: &[f32],
        sentence: &str,
        tokens: &Tokens,
    ) -> Option<usize> {
        let cues: Vec<bool> = scenario
            .facts
            .iter()
            .map(|f| f.cues.matches(tokens))
            .collect();
        let scores: Vec<f32> = fact_rows(
            question,
            &self.facts.words_of(sentence),
            facts,
            &cues,
            self.bank.nearest_unanswered(question, None),
            None,
            &self.heads.fact_projection,
        )
        .iter()
        .map(|x| self.heads.fact.sigmoid(x)[0])
        .collect();
        let best = argmax(&scores);
        let top = scores.get(best).copied().unwrap_or(0.0);
        let next = best_other(&scores, best).map_or(0.0, |p| p.max(0.0));
        (top >= self.heads.fact_threshold && top - next >= self.heads.fact_margin).then_some(best)
    }
}
