//! Whether a sentence asks: by its mark, its first word, a tag that asks to confirm, or a plan
//! to ask. Speech-to-text drops question marks, so the words have to tell.

use super::Tokens;

/// Words that open a question; spoken answers come back from the recogniser without question
/// marks, and typed ones often lack them too.
const QUESTION_STARTS: &[&str] = &[
    "what", "how", "do", "does", "did", "is", "are", "can", "could", "should", "would", "will",
    "which", "who", "where", "when", "why", "any", "have", "has",
];

/// Whether a sentence asks something. `tokens` are the sentence's own. Coverage answers hidden
/// facts by this test and the debrief counts questions by it, so the interviewer never answers a
/// question that the debrief then says was not asked.
pub fn is_question(sentence: &str, tokens: &Tokens) -> bool {
    if sentence.trim_end().ends_with('?') {
        return true;
    }
    // Without a question mark (speech drops them), the first word decides, except where a
    // question word opens a statement: "When the data drifts, we retrain", "What I'd do is...",
    // "What worries me most is that...".
    let words: Vec<&str> = tokens.tokens.iter().map(|t| t.lower.as_str()).collect();
    let Some(first) = words.first() else {
        return false;
    };
    if asks_as_a_plan(&words) || asks_to_confirm(sentence, &words) {
        return true;
    }
    if !QUESTION_STARTS.contains(first) {
        return false;
    }
    let second = words.get(1).copied().unwrap_or("");
    let aux = AUXILIARIES.contains(&second);
    match *first {
        // "When X, we do Y" states; "when X, how long does Y take", "when X, we refuse or Y"
        // still ask, as does a clause with no comma.
        "when" | "where" => {
            let asks_later = (words.iter().skip(1))
                .any(|w| ["how", "what", "which", "whether", "who", "or"].contains(w));
            aux || !sentence.contains(',') || asks_later
        }
        // A cleft states: "What I'd do first is...", "What worries me most is that...", "How we
        // ship it is a detail"; "what fraction of users is..." and "how the team knows it is
        // working or not" still ask.
        "what" | "how" => {
            let head = second.split('\'').next().unwrap_or("");
            let subject = ["i", "we", "they", "you", "he", "she", "people"].contains(&head)
                || (head.len() > 3 && head.ends_with('s'));
            let is_later = (words.iter().skip(2)).any(|w| *w == "is" || *w == "was");
            let either = words.windows(2).any(|p| p == ["or", "not"]);
            aux || !(subject && is_later) || either
        }
        // "Any constraints on latency" asks; "Any category outside the lookup gets zero, the
        // model copes" states, with a clause of its own after a comma.
        "any" => {
            let clause = sentence
                .split_once(',')
                .is_some_and(|(_, rest)| rest.split_whitespace().next() != Some("or"));
            words.len() < 10 || !clause
        }
        _ => true,
    }
}

/// A statement with a tag that asks to confirm it: "fraud is well under one percent, right",
/// "the team plans weekly, is that fair", "a few thousand a day, yes". Not a word that only ends
/// a statement ("it has to be right", "the logs are always correct", "yes or no"), nor a
/// filler's "okay so yeah". A comma before the tag marks it as one; without one, a word that
/// the tag completes ("gets right", "predicted correctly") makes it the statement's own.
fn asks_to_confirm(sentence: &str, words: &[&str]) -> bool {
    const PHRASES: &[&[&str]] = &[
        &["is", "that", "fair"],
        &["is", "that", "right"],
        &["is", "that", "correct"],
        &["is", "that", "true"],
        &["am", "i", "right"],
        &["does", "that", "sound", "right"],
        &["is", "that", "the", "case"],
    ];
    if PHRASES.iter().any(|p| words.ends_with(p)) {
        return true;
    }
    let [.., before, last] = words else {
        return false;
    };
    let tag = matches!(*last, "right" | "correct" | "yes" | "yeah" | "no");
    // What a tag follows when it is the statement's own word.
    let says = [
        "be", "is", "are", "was", "were", "been", "all", "mostly", "always", "exactly", "just",
        "it", "that", "the", "not", "get", "gets", "getting", "got", "or", "and", "so", "okay",
        "ok", "yes", "yeah", "um", "uh", "sure", "say", "said", "answer", "s",
    ];
    let set_off = (sentence.trim_end().trim_end_matches(['.', '!']))
        .rsplit_once(' ')
        .is_some_and(|(head, _)| head.ends_with(','));
    let completes = says.contains(before) || before.ends_with("ed");
    tag && words.len() > 4 && (set_off || !completes)
}

/// A question said as what the speaker will do: "I'd start by asking whether ties matter", "so
/// first I'd ask you what the budget is". Asking someone else ("I'd ask the design team for a
/// nicer animation") is a plan, and so is a design that asks ("we ask the cardholder whether").
fn asks_as_a_plan(words: &[&str]) -> bool {
    let Some(at) = (words.iter().take(8)).position(|w| matches!(*w, "ask" | "asking")) else {
        return false;
    };
    let speaker = words[..at].contains(&"i");
    let mut next = words[at + 1..].iter();
    let what = match next.next() {
        Some(&"you") => next.next(),
        w => w,
    };
    speaker
        && what.is_some_and(|w| {
            [
                "whether", "if", "what", "how", "which", "who", "when", "why", "about",
            ]
            .contains(w)
        })
}

/// Words that follow a question word in a question ("when do we...", "where is...").
const AUXILIARIES: &[&str] = &[
    "do", "does", "did", "is", "are", "was", "were", "will", "would", "should", "can", "could",
    "has", "have", "had", "s", "re", "much", "many", "long", "often", "soon", "fast", "big", "far",
    "large", "old", "early", "late",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_word_can_open_a_statement() {
        let q = |s: &str| is_question(s, &Tokens::new(s));
        assert!(q("what is the latency budget"));
        assert!(q("how many users do we have"));
        assert!(q("when do we need the predictions"));
        assert!(q("where's the data stored"));
        assert!(q("what counts as churn"));
        assert!(q("is the label delayed"));
        assert!(!q("When the data drifts, we retrain the model."));
        assert!(!q("Where possible, I'd reuse the existing features."));
        assert!(!q("What I'd do first is a popularity baseline."));
        assert!(!q("What worries me most is that the labels arrive late."));
        assert!(q("what we keep from the user actions on the site"));
        assert!(q(
            "what fraction of sessions are logged out, since that is what decides it"
        ));
        assert!(q("how the team will know the programme is working or not"));
        assert!(q("how large is the assortment"));
        assert!(!q("How we ship it is an engineering detail."));
        assert!(q(
            "when the score is high, we only refuse or we have some other way"
        ));
        assert!(q(
            "when a user stops paying after how many days we call him lost"
        ));
    }

    #[test]
    fn questions_are_known_by_their_mark_or_their_first_word() {
        let q = |s: &str| is_question(s, &Tokens::new(s));
        assert!(q("Is it real time?"));
        assert!(q("What is the business goal here."));
        assert!(q("how do we measure success"));
        assert!(q("So, the latency budget?"));
        assert!(!q("The latency budget matters."));
        // Asking, said as a plan: to the interviewer, a question; to anyone else, a plan.
        assert!(q("I'd start by asking whether ties matter"));
        assert!(q("so first I'd ask you what the latency budget is"));
        assert!(q("I want to ask if the labels arrive late"));
        assert!(!q("I'd ask the design team for a nicer carousel animation"));
        assert!(!q("We ask the cardholder whether they made the purchase."));
        assert!(!q("Asking users what they want is slow."));
        // A tag asks to confirm what came before it; the same word ending a claim does not.
        assert!(q("so fraud is way under one percent, right"));
        assert!(q(
            "the campaign people plan weekly so a weekly refresh works is that fair"
        ));
        assert!(q("there are maybe a few thousand new sellers a week yes"));
        assert!(!q("the top of the list is the part that has to be right"));
        assert!(!q("We can trust the logs, they are always correct."));
        assert!(!q(
            "A survival model gives the risk over time, not only yes or no."
        ));
        assert!(!q("okay so um yeah"));
        assert!(!q("nobody knew which copy was right"));
        assert!(!q(
            "the headline number is the share of payments the model gets right"
        ));
        assert!(!q(""));
        // "Any" asks, unless a clause of its own follows a comma.
        assert!(q("any constraints on how fast we have to answer"));
        assert!(q("any chance the labels arrive sooner, or is that fixed"));
        assert!(!q(
            "Any centroid that attracts no points gets dropped before the next round, so only live clusters remain."
        ));
    }
}
