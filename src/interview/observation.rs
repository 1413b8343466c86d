//! What one candidate turn showed, as the interview uses it: made from the reader's analysis
//! live, or from the logged reading on replay, and logged back as a `Reading`.

use super::Interview;
use super::coverage::{self, Analysis, Hit};
use super::event::{self, Event, Reading};
use crate::scenario::Scenario;

/// What one candidate turn showed: the reading, and the checkpoints it covered for the first time.
#[derive(Debug, Clone)]
pub struct Observation {
    pub turn: usize,
    /// The reader's name, as logged.
    pub reader: String,
    pub analysis: Analysis,
    /// Checkpoints this turn covered for the first time.
    pub new: Vec<Hit>,
    /// Whether the hits earn credit (not when only the model judges).
    pub credited: bool,
    pub answers_probe: bool,
    /// A follow-up was due and this turn did not take it up.
    pub ignored_probe: bool,
    pub dry: bool,
    /// The turn ends by asking to go on: `Some(None)` to the next part, `Some(Some(stage))` to
    /// the part it names (`requests::asks_to_move_on`).
    pub move_on: Option<Option<crate::framework::Stage>>,
    /// The turn asks the interviewer's own judgement (`requests::asks_opinion`).
    pub opinion: bool,
}

impl Observation {
    /// Whether the turn asks the interviewer something to answer. A request to move on is
    /// granted, not answered: alone, it asks nothing ("Shall I go on to the data?" is not
    /// told "we haven't pinned that down").
    pub fn asks(&self) -> bool {
        let a = &self.analysis;
        a.questions > 0 && !(self.move_on.is_some() && a.questions == 1 && a.facts.is_empty())
    }

    /// The checkpoints the reader found in this turn.
    pub fn checkpoints_read(&self) -> Vec<usize> {
        self.analysis.hits.iter().map(|h| h.checkpoint).collect()
    }

    /// The credits the reading earns, as logged after it.
    pub fn credits(&self, scenario: &Scenario) -> Vec<Event> {
        if !self.credited {
            return Vec::new();
        }
        self.analysis
            .hits
            .iter()
            .map(|h| Event::Coverage {
                turn: self.turn,
                checkpoint: scenario.checkpoints[h.checkpoint].id.clone(),
                quote: h.quote.clone(),
                source: h.source,
                named: h.named,
            })
            .collect()
    }

    /// The reading as logged.
    pub fn reading(&self, scenario: &Scenario) -> Reading {
        let a = &self.analysis;
        let logged = |hits: &[Hit]| {
            hits.iter()
                .map(|h| event::LoggedHit {
                    checkpoint: scenario.checkpoints[h.checkpoint].id.clone(),
                    quote: h.quote.clone(),
                    focus: [h.focus.start, h.focus.end],
                    named: h.named,
                })
                .collect()
        };
        Reading {
            reader: self.reader.clone(),
            hits: logged(&a.hits),
            dismissed: logged(&a.dismissed),
            truncated: a.truncated,
            facts: a
                .facts
                .iter()
                .map(|&f| scenario.facts[f].id.clone())
                .collect(),
            questions: a.questions,
            statements: a.statements,
            stuck: a.stuck,
            injections: a.injections,
            words: a.words,
            answers_probe: self.answers_probe,
            dry: self.dry,
            misconceptions: a
                .misconceptions
                .iter()
                .map(|m| event::LoggedMisconception {
                    id: scenario.misconceptions[m.misconception].id.clone(),
                    quote: m.quote.clone(),
                })
                .collect(),
        }
    }

    /// A logged reading of `turn`, once `iv` has applied it. Ids the scenario no longer has are
    /// left out.
    pub fn from_reading(iv: &Interview, turn: usize, r: &Reading) -> Observation {
        let sc = &iv.scenario;
        let said = iv.said_in(turn);
        let source = coverage::source_of(&r.reader);
        let hits = |logged: &[event::LoggedHit]| -> Vec<Hit> {
            logged
                .iter()
                .filter_map(|h| {
                    Some(Hit {
                        checkpoint: sc.checkpoint_index(&h.checkpoint)?,
                        quote: h.quote.clone(),
                        focus: h.focus[0].min(h.quote.len())..h.focus[1].min(h.quote.len()),
                        source,
                        named: h.named,
                    })
                })
                .collect()
        };
        let dismissed = hits(&r.dismissed);
        let hits = hits(&r.hits);
        let new = hits
            .iter()
            .filter(|h| iv.evidence[h.checkpoint].first().map(|e| e.turn) == Some(turn))
            .cloned()
            .collect();
        Observation {
            turn,
            reader: r.reader.clone(),
            analysis: Analysis {
                hits,
                dismissed,
                truncated: r.truncated,
                facts: r
                    .facts
                    .iter()
                    .filter_map(|id| sc.facts.iter().position(|f| f.id == *id))
                    .collect(),
                questions: r.questions,
                statements: r.statements,
                stuck: r.stuck,
                injections: r.injections,
                words: r.words,
                misconceptions: r
                    .misconceptions
                    .iter()
                    .filter_map(|m| {
                        Some(coverage::Stated {
                            misconception: sc.misconception_index(&m.id)?,
                            quote: m.quote.clone(),
                        })
                    })
                    .collect(),
            },
            new,
            credited: iv.reader_credits,
            answers_probe: r.answers_probe,
            // The log does not say whether a follow-up was due; a replayed turn is never
            // pressed.
            ignored_probe: false,
            dry: r.dry,
            move_on: super::requests::asks_to_move_on(said),
            opinion: super::requests::asks_opinion(said),
        }
    }
}
