//! What a model line may not say. A small model asked to paraphrase the director's line drifts:
//! it copies its previous line, invents numbers ("losses down 90%"), praises the candidate, or
//! drops the question the turn exists to ask. Each sentence is checked before it is shown, so a
//! bad one is never heard; from the first bad sentence on, the turn says the scripted line's
//! words instead. The checks are plain text tests against what the interview knows, so they
//! cost nothing next to the model.

use crate::cue::{Tokens, is_question, sentences};
use crate::interview::{Action, Interview, LineFault, Role};
use std::collections::BTreeSet;

/// Words of praise; an interviewer acknowledges, it does not grade out loud.
const PRAISE: &[&str] = &[
    "great",
    "excellent",
    "fantastic",
    "brilliant",
    "impressive",
    "perfect",
    "wonderful",
    "amazing",
    "awesome",
    "superb",
    "outstanding",
    "terrific",
    "nailed",
    "well done",
    "good job",
    "nice job",
    "nice work",
    "good work",
    "good answer",
    "good point",
    "nice point",
    "strong answer",
    "solid answer",
    "spot on",
    "love that",
    "love this",
    "exactly right",
    "good thinking",
];

/// Small counts ("two or 3 ideas") are ordinary speech, not claims about the problem.
const PLAIN_COUNT: f64 = 10.0;

/// Share of a sentence's words found in an earlier sentence for it to count as said again.
const REPEAT_SHARE: f64 = 0.75;

/// Lines back that a model line may not say again: a small model that has started copying
/// itself copies more than the line before.
const RECENT_LINES: usize = 3;

pub struct Guard {
    /// Word stems of each sentence of the interviewer's last few lines.
    previous: Vec<BTreeSet<String>>,
    /// Word stems of the stage's goal, as the turn's notes give it to the model.
    goal: BTreeSet<String>,
    /// The notes' own wording around what they fill in ("What to say next", "Stage # of #"),
    /// as runs of words: whatever the notes template says.
    headings: Vec<Vec<String>>,
    /// Word stems of each sentence of the scripted line: saying these again is the intent.
    intent: Vec<BTreeSet<String>>,
    intent_lower: String,
    /// Numbers the line may state: the scenario's, the revealed facts', the candidate's.
    numbers: BTreeSet<String>,
    /// The scripted line's question, which the model's line must ask too.
    question: Option<String>,
    /// The answers of the facts the turn tells the candidate, which the line must carry.
    facts: Vec<Told>,
}

/// A fact the line must tell: its scripted answer, and what shows the line told it.
struct Told {
    answer: String,
    numbers: BTreeSet<String>,
    stems: BTreeSet<String>,
}

/// Share of a fact's words a line must use to have told it, when no number shows it.
const TOLD_SHARE: f64 = 0.4;

impl Told {
    fn new(answer: &str) -> Told {
        Told {
            answer: answer.to_string(),
            numbers: numbers(answer).into_iter().map(|n| n.0).collect(),
            stems: stems(answer),
        }
    }

    /// Whether `line` tells the fact: half its numbers, or enough of its words. A paraphrase
    /// may round a figure or say it in words, but a line that tells neither has not answered.
    fn in_line(&self, line: &str) -> bool {
        let said: BTreeSet<String> = numbers(line).into_iter().map(|n| n.0).collect();
        let by_number = !self.numbers.is_empty()
            && 2 * self.numbers.intersection(&said).count() >= self.numbers.len();
        let by_words = self.stems.intersection(&stems(line)).count() as f64
            >= TOLD_SHARE * self.stems.len() as f64;
        by_number || by_words
    }
}

impl Guard {
    /// `notes`: the turn's notes as the model is given them, the intent among them; `actions`:
    /// what the turn does, the facts it tells among them.
    pub fn new(iv: &Interview, actions: &[Action], intent: &str, notes: &str) -> Guard {
        let sc = &iv.scenario;
        let previous = (iv.turns.iter().rev())
            .filter(|t| t.role == Role::Interviewer)
            .take(RECENT_LINES)
            .flat_map(|t| stems_of_sentences(&t.text))
            .collect();
        let stage = iv.stage();
        // The moves are instructions, worded apart from anything an interviewer says: a line
        // that reads them out reads out the notes.
        let filled: Vec<&str> = match stage {
            Some(s) => vec![intent, sc.stage_goal(s), sc.stage_name(s)],
            None => vec![intent],
        };
        let goal = stage.map_or_else(BTreeSet::new, |s| stems(sc.stage_goal(s)));
        let mut known: Vec<&str> = vec![&sc.prompt, &sc.title, intent];
        known.extend(
            sc.facts
                .iter()
                .zip(&iv.revealed)
                .filter(|(_, r)| **r)
                .map(|(f, _)| f.answer.as_str()),
        );
        known.extend(
            iv.turns
                .iter()
                .filter(|t| t.role == Role::Candidate)
                .map(|t| t.text.as_str()),
        );
        let facts: Vec<Told> = (actions.iter())
            .flat_map(|a| match a {
                Action::AnswerFact { facts, .. } => facts.as_slice(),
                _ => &[],
            })
            .filter_map(|id| sc.facts.iter().find(|f| f.id == *id))
            .map(|f| Told::new(&f.answer))
            .collect();
        Guard {
            previous,
            goal,
            headings: headings(notes, &filled),
            intent: stems_of_sentences(intent),
            intent_lower: intent.to_lowercase(),
            numbers: (known.iter().flat_map(|t| numbers(t)).map(|n| n.0))
                .chain(facts.iter().flat_map(|f| f.numbers.iter().cloned()))
                .collect(),
            question: question_of(intent).map(str::to_string),
            facts,
        }
    }

    /// What is wrong with one sentence of the model's line, if anything.
    pub fn sentence(&self, s: &str) -> Option<LineFault> {
        let lower = s.to_lowercase();
        let words = stems(s);
        if self.reads_out_notes(s, &words) {
            return Some(LineFault::Notes);
        }
        if let Some(p) = PRAISE
            .iter()
            .find(|p| has_phrase(&lower, p) && !has_phrase(&self.intent_lower, p))
        {
            return Some(LineFault::Praise {
                words: p.to_string(),
            });
        }
        if let Some((_, shown)) = numbers(s).into_iter().find(|(n, shown)| {
            !self.numbers.contains(n) && !n.parse::<f64>().is_ok_and(|v| plain_count(v, shown))
        }) {
            return Some(LineFault::InventedNumber { number: shown });
        }
        let said_before = |earlier: &BTreeSet<String>| {
            words.len() >= 4
                && words.intersection(earlier).count() as f64 >= REPEAT_SHARE * words.len() as f64
        };
        if self.previous.iter().any(said_before) && !self.intent.iter().any(said_before) {
            return Some(LineFault::Repeats);
        }
        None
    }

    /// What is wrong with the line as a whole, once its sentences passed: a fact asked for and
    /// not told, then a question the turn asks and the line did not.
    pub fn line(&self, said: &[String]) -> Option<LineFault> {
        if self.untold(said).next().is_some() {
            Some(LineFault::FactUntold)
        } else if self.unasked(said).is_some() {
            Some(LineFault::NoQuestion)
        } else {
            None
        }
    }

    /// What the turn was for that `said` left out, in the scripted words: the facts it did not
    /// tell, then the question if it asked none. Said after the model's sentences, so the
    /// candidate gets the answer and the question whatever the model did with them.
    pub fn missing(&self, said: &[String]) -> Vec<&str> {
        (self.untold(said).map(|f| f.answer.as_str()))
            .chain(self.unasked(said))
            .collect()
    }

    fn untold(&self, said: &[String]) -> impl Iterator<Item = &Told> {
        let line = said.join(" ");
        self.facts.iter().filter(move |f| !f.in_line(&line))
    }

    /// The turn's question, when the line asked none.
    fn unasked(&self, said: &[String]) -> Option<&str> {
        let asked = said.iter().any(|s| is_question(s, &Tokens::new(s)));
        self.question.as_deref().filter(|_| !asked)
    }

    /// A sentence that reads out the turn's notes: their headings ("What to say next", "Stage
    /// 2 of 8"), four words of a longer one in a row, or most of the stage's goal, which no
    /// interviewer says aloud.
    fn reads_out_notes(&self, s: &str, words: &BTreeSet<String>) -> bool {
        let w: Vec<String> = Tokens::new(s).tokens.into_iter().map(|t| t.lower).collect();
        let heading = self.headings.iter().any(|run| {
            let n = run.len().min(4);
            run.windows(n).any(|piece| w.windows(n).any(|x| x == piece))
        });
        let goal_read = self.goal.len() >= 4
            && words.intersection(&self.goal).count() as f64
                >= REPEAT_SHARE * self.goal.len() as f64;
        heading || goal_read
    }
}

/// The runs of words of `notes` outside what was filled in (`filled`): the template's own
/// headings. Runs under three words ("the", "Stage 2") say too little to tell a heading read out.
fn headings(notes: &str, filled: &[&str]) -> Vec<Vec<String>> {
    let mut text = notes.to_string();
    for f in filled.iter().filter(|f| !f.trim().is_empty()) {
        text = text.replace(f, "\n");
    }
    text.lines()
        .map(|l| {
            Tokens::new(l)
                .tokens
                .into_iter()
                .map(|t| t.lower)
                .collect::<Vec<_>>()
        })
        .filter(|run| run.len() >= 3)
        .collect()
}

/// The scripted line's question and what follows it: what a model line that stopped before its
/// question goes on with, so the turn still asks what it was for.
pub fn question_of(intent: &str) -> Option<&str> {
    sentences(intent)
        .into_iter()
        .find(|r| is_question(&intent[r.clone()], &Tokens::new(&intent[r.clone()])))
        .map(|r| intent[r.start..].trim())
}

fn has_phrase(lower: &str, phrase: &str) -> bool {
    lower.match_indices(phrase).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn stems(s: &str) -> BTreeSet<String> {
    Tokens::new(s)
        .tokens
        .into_iter()
        .filter(|t| t.lower.chars().count() > 2)
        .map(|t| t.stem)
        .collect()
}

fn stems_of_sentences(text: &str) -> Vec<BTreeSet<String>> {
    sentences(text)
        .into_iter()
        .map(|r| stems(&text[r]))
        .collect()
}

/// A count of ten or less said as a plain number, not a share or a sum of money.
fn plain_count(v: f64, shown: &str) -> bool {
    v <= PLAIN_COUNT && v.fract() == 0.0 && !shown.contains(['%', '$', '€', '£'])
}

/// The numbers in a text: the digits as a comparable value ("1,000" and "1000" alike) and as
/// written, with a currency sign before and a per cent sign after.
fn numbers(text: &str) -> Vec<(String, String)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len()
            && (chars[i].1.is_ascii_digit()
                || (matches!(chars[i].1, ',' | '.')
                    && chars.get(i + 1).is_some_and(|c| c.1.is_ascii_digit())))
        {
            i += 1;
        }
        let digits: String = chars[start..i]
            .iter()
            .map(|c| c.1)
            .filter(|c| *c != ',')
            .collect();
        let value = digits
            .trim_start_matches('0')
            .trim_end_matches(|c| digits.contains('.') && c == '0')
            .trim_end_matches('.')
            .to_string();
        let value = if value.is_empty() || value.starts_with('.') {
            format!("0{value}")
        } else {
            value
        };
        let from = if start > 0 && matches!(chars[start - 1].1, '$' | '€' | '£') {
            chars[start - 1].0
        } else {
            chars[start].0
        };
        let to = if chars.get(i).is_some_and(|c| c.1 == '%') {
            i += 1;
            chars[i - 1].0 + 1
        } else {
            chars.get(i).map_or(text.len(), |c| c.0)
        };
        out.push((value, text[from..to].to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::{Event, Mode, Phase};
    use std::sync::Arc;

    fn interview(turns: &[(Role, &str)]) -> Interview {
        let sc = Arc::new(crate::scenario::load("fraud").unwrap());
        let mut iv = Interview::new(sc, Mode::Interview, 45);
        for (i, (role, text)) in turns.iter().enumerate() {
            iv.apply(&Event::Turn {
                n: i + 1,
                role: *role,
                text: text.to_string(),
                at: i as f64 * 10.0,
                phase: Phase::NotStarted,
            });
        }
        iv
    }

    /// The guard for a line with the built-in notes template.
    fn guard(iv: &Interview, intent: &str) -> Guard {
        let hb = crate::interviewer::templates(None, crate::interviewer::model::TEMPLATES).unwrap();
        let notes = crate::interviewer::model::notes(&hb, iv, intent, "").unwrap();
        Guard::new(iv, &[], intent, &notes)
    }

    #[test]
    fn numbers_are_read_as_values_with_their_signs() {
        let n = numbers("Cut losses by 90%, spend $5 or 1,000.50 at 0.1% and 100ms.");
        let shown: Vec<&str> = n.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(shown, ["90%", "$5", "1,000.50", "0.1%", "100"]);
        let values: Vec<&str> = n.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(values, ["90", "5", "1000.5", "0.1", "100"]);
    }

    #[test]
    fn a_number_nobody_said_is_invented_and_one_the_candidate_said_is_not() {
        let iv = interview(&[
            (Role::Interviewer, "Tell me how you would start."),
            (
                Role::Candidate,
                "I would aim to flag 40% of the fraud first.",
            ),
        ]);
        let g = guard(&iv, "What would you do next?");
        assert_eq!(
            g.sentence("So you want to reduce the fraud losses by 90%."),
            Some(LineFault::InventedNumber {
                number: "90%".into()
            })
        );
        assert_eq!(g.sentence("You said 40% of the fraud; how?"), None);
        assert_eq!(g.sentence("Give me 2 or 3 options."), None);
        assert!(g.sentence("The latency budget is $5.").is_some());
    }

    #[test]
    fn praise_is_caught_as_a_phrase_and_plain_acknowledgement_is_not() {
        let g = guard(&interview(&[]), "What would you measure?");
        assert!(matches!(
            g.sentence("Great answer, very thorough."),
            Some(LineFault::Praise { .. })
        ));
        assert!(matches!(
            g.sentence("Well done."),
            Some(LineFault::Praise { .. })
        ));
        assert_eq!(g.sentence("Got it. What would you measure?"), None);
        // "greater" is not "great".
        assert_eq!(g.sentence("Is a greater recall worth the cost?"), None);
    }

    #[test]
    fn saying_the_previous_line_again_is_a_repeat_unless_the_turn_asks_it_again() {
        let iv = interview(&[
            (
                Role::Interviewer,
                "How would you label transactions that were never disputed?",
            ),
            (Role::Candidate, "I am not sure yet."),
        ]);
        let g = guard(&iv, "What latency can the scoring path afford?");
        assert_eq!(
            g.sentence("How would you label the transactions that were never disputed?"),
            Some(LineFault::Repeats)
        );
        assert_eq!(g.sentence("What latency can scoring afford?"), None);
        let press = guard(
            &iv,
            "Let me ask again: how would you label transactions never disputed?",
        );
        assert_eq!(
            press.sentence("How would you label transactions that were never disputed?"),
            None
        );
    }

    #[test]
    fn a_turn_that_asks_needs_a_question_and_one_that_tells_does_not() {
        let g = guard(
            &interview(&[]),
            "Fair enough. What would you measure first?",
        );
        assert_eq!(
            g.line(&["Let us talk about metrics.".into()]),
            Some(LineFault::NoQuestion)
        );
        assert_eq!(g.line(&["Which metric comes first?".into()]), None);
        let tell = guard(&interview(&[]), "The budget is 100 ms.");
        assert_eq!(tell.line(&["The budget is 100 ms.".into()]), None);
        assert_eq!(
            question_of("Fair enough. What would you measure first? Take a moment."),
            Some("What would you measure first? Take a moment.")
        );
    }

    /// The turn's notes are for the model: read out, they would tell the candidate what the
    /// interviewer was told to say.
    #[test]
    fn notes_read_out_are_stopped_and_plain_mentions_are_not() {
        let mut iv = interview(&[]);
        crate::session::testing::open(&mut iv);
        let g = guard(&iv, "Who would use this?");
        let goal = crate::framework::Stage::Clarify.goal();
        for line in [
            "Stage 1 of 8, Clarify the problem.",
            "What to say next: ask who uses it.",
            goal,
        ] {
            assert_eq!(g.sentence(line), Some(LineFault::Notes), "{line}");
        }
        for line in [
            "Who uses this, and what do they see?",
            "What would you say next about the users?",
            "Which stage of the pipeline is slowest?",
        ] {
            assert_eq!(g.sentence(line), None, "{line}");
        }
    }

    /// A notes template of the user's own is not read out either: its headings are whatever it
    /// says, not the built-in wording.
    #[test]
    fn a_users_own_notes_headings_are_not_read_out() {
        let mut iv = interview(&[]);
        crate::session::testing::open(&mut iv);
        let intent = "Who would use this?";
        let notes = format!(
            "Current phase, {}. Your instruction for this turn: {intent}",
            iv.scenario.stage_name(crate::framework::Stage::Clarify)
        );
        let g = Guard::new(&iv, &[], intent, &notes);
        assert_eq!(
            g.sentence("Your instruction for this turn is to ask about users."),
            Some(LineFault::Notes)
        );
        assert_eq!(
            g.sentence("Current phase: clarify."),
            None,
            "two words are too few to tell"
        );
        assert_eq!(
            g.sentence("Who uses it, and what is your instruction to them?"),
            None
        );
        assert_eq!(
            g.sentence("What to say next is up to you: who uses it?"),
            None
        );
    }

    /// A small model that has started copying itself goes back further than its last line.
    #[test]
    fn a_line_said_two_lines_ago_is_a_repeat() {
        let iv = interview(&[
            (
                Role::Interviewer,
                "So how is the score being used downstream?",
            ),
            (Role::Candidate, "Analysts review the flagged ones."),
            (Role::Interviewer, "What happens when an analyst disagrees?"),
            (Role::Candidate, "They relabel it."),
        ]);
        let g = guard(&iv, "What data do you have?");
        assert_eq!(
            g.sentence("So how is the score being used downstream?"),
            Some(LineFault::Repeats)
        );
        assert_eq!(g.sentence("What data would you want for this?"), None);
    }
}
