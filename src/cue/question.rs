//! Whether a sentence asks: by its mark, its first word after any fillers, a tag that asks to
//! confirm, a plan to ask or a wish to know, or a clause with its verb before its subject.
//! Speech-to-text drops question marks, so the words have to tell.

use super::Tokens;

/// Words that open a question; spoken answers come back from the recogniser without question
/// marks, and typed ones often lack them too.
#[rustfmt::skip]
const QUESTION_STARTS: &[&str] = &[
    "what", "how", "do", "does", "did", "is", "are", "can", "could", "should", "would", "will",
    "which", "who", "where", "when", "why", "any", "have", "has", "whats", "hows", "whos",
    "wheres", "whereabouts",
];

/// Words a spoken sentence opens with before it says anything: "so um how busy does it get",
/// "okay and what's the current setup", "just curious how big is the team".
const OPENERS: &[&str] = &[
    "so", "um", "uh", "uhm", "erm", "er", "hmm", "and", "okay", "ok", "sorry", "like", "well",
    "right", "also", "but", "oh", "yeah", "alright", "just", "actually", "quick", "curious",
    "roughly", "ballpark",
];

/// Ways of asking by saying what the speaker wants to know: "I'd like a sense of the
/// audience size", "I was wondering how labels arrive", "tell me about the traffic".
const WANTS_TO_KNOW: &[&[&str]] = &[
    &["i", "d", "like", "to", "know"],
    &["i", "d", "like", "to", "understand"],
    &["i", "d", "like", "to", "get", "a", "sense"],
    &["i", "d", "like", "a", "sense"],
    &["i", "d", "like", "a", "feel"],
    &["i", "would", "like", "to", "know"],
    &["i", "want", "to", "know"],
    &["i", "need", "to", "know"],
    &["i", "wonder"],
    &["i", "m", "wondering"],
    &["i", "was", "wondering"],
    &["i", "m", "curious"],
    &["wondering"],
    &["tell", "me"],
    &["help", "me", "understand"],
];

/// Whether a sentence asks something. `tokens` are the sentence's own. Coverage answers hidden
/// facts by this test and the debrief counts questions by it, so the interviewer never answers a
/// question that the debrief then says was not asked.
pub fn is_question(sentence: &str, tokens: &Tokens) -> bool {
    if sentence.trim_end().ends_with('?') {
        return true;
    }
    // Without a question mark (speech drops them), the first word after any fillers decides,
    // unless a later clause asks, and except where a question word opens a statement: "When the data drifts, we retrain", "What I'd do is...",
    // "What worries me most is that...".
    let all: Vec<&str> = tokens.tokens.iter().map(|t| t.lower.as_str()).collect();
    let words = &all[all.iter().take_while(|w| OPENERS.contains(w)).count()..];
    let Some(first) = words.first() else {
        return false;
    };
    if asks_as_a_plan(words)
        || asks_to_confirm(sentence, words)
        || WANTS_TO_KNOW.iter().any(|p| words.starts_with(p))
        || asks_after_a_comma(sentence)
        || asks_after_a_condition(words)
    {
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
            // "What went through the tills is what people wanted": a verb in the past, too,
            // opens a clause that a later "is" makes the subject.
            let subject = ["i", "we", "they", "you", "he", "she", "people"].contains(&head)
                || (head.len() > 3 && head.ends_with('s'))
                || (head.len() > 3 && head.ends_with("ed"))
                || ["went", "came", "got", "made", "sold", "left", "brought"].contains(&head);
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

/// A clause after a comma that opens with a verb before its subject asks, wherever the
/// sentence began: "so the outcome column, is that the delivery time", "any cost limit, are
/// there GPUs we can use", "we shard by user, or does that break the joins".
fn asks_after_a_comma(sentence: &str) -> bool {
    sentence.split(',').skip(1).any(|clause| {
        let tokens = super::Tokens::new(clause);
        let words: Vec<&str> = (tokens.tokens.iter())
            .map(|t| t.lower.as_str())
            .skip_while(|w| *w == "or" || OPENERS.contains(w))
            .collect();
        // "which one goes first is up to the sort" is the subject of a statement, and "ask
        // what X costs, and which of the two matters" goes on with what came before.
        let subject_clause = words.iter().skip(3).any(|w| *w == "is" || *w == "was")
            || tokens.tokens.first().is_some_and(|t| t.lower == "and");
        match words[..] {
            [verb, subject, ..] => {
                inverted(verb, subject) || (wh_asks(verb, subject) && !subject_clause)
            }
            _ => false,
        }
    })
}

/// A question's verb before its subject: "is that", "do we", "can I".
fn inverted(verb: &str, subject: &str) -> bool {
    const VERBS: &[&str] = &[
        "is", "are", "was", "were", "do", "does", "did", "can", "could", "should", "would", "will",
        "has", "have",
    ];
    const SUBJECTS: &[&str] = &["that", "it", "this", "there", "we", "i", "you", "they"];
    VERBS.contains(&verb) && SUBJECTS.contains(&subject)
}

/// A question word inside a sentence, with what follows it only in a question ("what do",
/// "how can", "which one"): not a relative clause ("which keeps it cheap"), nor an item of a
/// list ("how many posts it made", "who is the author", "what's in it").
fn wh_asks(wh: &str, next: &str) -> bool {
    const ASKING: &[&str] = &[
        "do", "does", "did", "can", "could", "should", "would", "will",
    ];
    match wh {
        "what" | "how" | "who" | "where" | "when" | "why" => ASKING.contains(&next),
        "which" => matches!(next, "one" | "ones" | "of"),
        _ => false,
    }
}

/// "If X, do we Y" asks, by a verb before its subject after the condition; "if it is late we
/// drop it" states.
fn asks_after_a_condition(words: &[&str]) -> bool {
    words.first() == Some(&"if")
        && words.windows(2).skip(2).any(|p| {
            (inverted(p[0], p[1]) && p != ["is", "there"])
                || (["what", "which", "how"].contains(&p[0]) && wh_asks(p[0], p[1]))
        })
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

    #[test]
    fn spoken_questions_open_with_fillers_or_ask_late() {
        let q = |s: &str| is_question(s, &Tokens::new(s));
        // Fillers first, and question words typed without their apostrophe.
        assert!(q("so um how busy does it get when there's a big sale on"));
        assert!(q("okay and whats the current setup for approving payments"));
        assert!(q("just curious how big is the team"));
        assert!(q("ballpark how many paid accounts would we be scoring"));
        assert!(!q("so um we keep two years of logs"));
        assert!(!q("and what I'd do first is a popularity baseline"));
        assert!(!q(
            "So yeah, what went through the tills each day is what people wanted."
        ));
        assert!(q("so what happened to the old rules engine"));
        // Saying what one wants to know asks it.
        assert!(q(
            "I'd like a sense of the audience size and the daily page views."
        ));
        assert!(q("i was wondering how long the labels take to arrive"));
        assert!(!q("I'd like to start with a simple baseline."));
        // A clause after a comma with its verb before its subject asks.
        assert!(q(
            "so the outcome column, is that the delivery time or something else"
        ));
        assert!(q("any cost limit at all, are there gpus we can use"));
        assert!(q("we shard by user, or does that break the joins"));
        assert!(!q("We shard by user, and that keeps the joins local."));
        assert!(!q(
            "After the split, it is worth checking the class balance."
        ));
        assert!(q(
            "um sorry there are a few ways to compute this, so which one does the team use"
        ));
        assert!(!q(
            "with two equal scores, which one goes first is up to the sort"
        ));
        assert!(!q(
            "Ask what the chain wants to cut, and which of the two matters more."
        ));
    }
}
