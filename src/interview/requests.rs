//! What a turn asks of the interview itself rather than says about the problem: to close
//! ("that's everything from me"), to move on ("Shall I go on to the data?"), to leave the
//! question for later ("Let me come back to that"), or for the interviewer's own judgement
//! ("Do you think XGBoost is enough here?"). The director grants the first two and turns the
//! last back; a put-off does not take up a follow-up, however near its words are to it. A
//! question about the interview or the job ("is this the last round?") is about neither the
//! problem nor the interview's course: both readers credit it nothing and give it no fact.

use super::coverage::{counted_words, is_list, shows_nothing};
use crate::cue::{CueSet, Tokens, is_question, sentences, word_count};
use crate::framework::Stage;
use std::sync::OnceLock;

fn closing_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "that s everything",
            "that is everything",
            "that s all from me",
            "that s all i have",
            "that s it from me",
            "nothing more from me",
            "nothing else from me",
            "i m done",
            "i am done",
            "that covers everything",
            "that s my design",
            "that s my answer",
        ])
    })
}

fn summary_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "to summarise",
            "to summarize",
            "to sum up",
            "in summary",
            "to recap",
            "to wrap up",
        ])
    })
}

/// A turn that says the candidate has finished ("that's everything from me"), short enough
/// not to be the start of more.
pub fn is_closing(text: &str) -> bool {
    counted_words(text) <= 14 && closing_cues().matches(&Tokens::new(text))
}

fn opinion_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "do you think",
            "would you use",
            "would you pick",
            "would you choose",
            "would you go with",
            "what would you do",
            "which would you",
            "do you recommend",
            "would you recommend",
            "do you prefer",
            "would you prefer",
            "which is better",
            "is it better",
            "would it be better",
            "better to use",
            "difference between",
            "the same as",
            "same thing as",
            "a good idea",
            "overkill",
            "your opinion",
            "your view",
            "your take",
        ])
    })
}

/// A question that asks the interviewer for a judgement or an explanation that is the
/// candidate's to give: "Do you think XGBoost is enough here?", "Is PR-AUC the same as
/// ROC-AUC?". Whether the scenario has an answer for it is the facts' business; this says only
/// how it is asked. Asking what to assume ("Would it be better to assume one country?") is a
/// question about the problem, however it is put.
pub fn asks_opinion(text: &str) -> bool {
    static ASSUMING: OnceLock<CueSet> = OnceLock::new();
    let assuming = ASSUMING.get_or_init(|| CueSet::new(["assum*"]));
    sentences(text).into_iter().any(|r| {
        let s = &text[r];
        let tokens = Tokens::new(s);
        is_question(s, &tokens) && opinion_cues().matches(&tokens) && !assuming.matches(&tokens)
    })
}

/// Words that ask to go on, wherever to. Each has the candidate as its subject, so a question
/// about users who "move on" to a rival is not one.
fn move_on_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "we move on",
            "i move on",
            "let s move on",
            "we go on",
            "i go on",
            "next stage",
            "next part",
            "next section",
            "next topic",
        ])
    })
}

/// Words that ask to go to a part they name ("Can we talk about training?").
fn steer_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "we move to",
            "i move to",
            "let s move to",
            "we jump to",
            "i jump to",
            "we switch to",
            "we turn to",
            "we talk about",
            "i talk about",
            "let s talk about",
            "me to talk about",
        ])
    })
}

/// A turn that ends by asking to go on to the next part, or to a named later one: "Shall I
/// move on to data?", "Can we talk about how I'd train it?", "Let's move on." after an answer.
/// The stage it asks for, if it names one; `None` when the turn asks nothing of the kind. A
/// statement that only uses the words ("fraudsters move to new cards") is not a request: the
/// last sentence must ask, or say "let's".
pub fn asks_to_move_on(text: &str) -> Option<Option<Stage>> {
    asks_to_move_on_in(&text[sentences(text).pop()?])
}

/// `asks_to_move_on` for one sentence.
fn asks_to_move_on_in(last: &str) -> Option<Option<Stage>> {
    let tokens = Tokens::new(last);
    let opening: Vec<&str> = (tokens.tokens.iter())
        .map(|t| t.lower.as_str())
        .skip_while(|w| matches!(*w, "ok" | "okay" | "so" | "alright" | "right" | "good"))
        .take(2)
        .collect();
    let moving = opening == ["moving", "on"];
    let lets = opening.first() == Some(&"let");
    if word_count(last) > 16 || !(moving || lets || is_question(last, &tokens)) {
        return None;
    }
    let named = named_stage(last);
    let asks = moving
        || move_on_cues().matches(&tokens)
        || (named.is_some() && steer_cues().matches(&tokens));
    asks.then_some(named)
}

/// The words candidates use for each stage they might ask to go to.
fn stage_names() -> &'static [(Stage, CueSet)] {
    static NAMES: OnceLock<Vec<(Stage, CueSet)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let words: [(Stage, &[&str]); 7] = [
            (Stage::Frame, &["frame", "framing", "formulat*"]),
            (Stage::Data, &["data"]),
            (Stage::Features, &["feature*"]),
            (
                Stage::Model,
                &["model", "models", "modeling", "modelling", "architecture"],
            ),
            (Stage::Training, &["train", "training", "trained"]),
            (
                Stage::Evaluation,
                &["evaluat*", "metric*", "offline", "test*"],
            ),
            (
                Stage::Deployment,
                &["deploy*", "serving", "production", "monitor*", "launch*"],
            ),
        ];
        (words.into_iter())
            .map(|(stage, w)| (stage, CueSet::new(w.iter().copied())))
            .collect()
    })
}

/// The stage a turn names, by the words candidates use for it.
fn named_stage(text: &str) -> Option<Stage> {
    let tokens = Tokens::new(text);
    // The last stage named: "move on from data to features" goes to features.
    (stage_names().iter())
        .filter_map(|(stage, cues)| Some((cues.find(&tokens)?.0.start, *stage)))
        .max_by_key(|(at, _)| *at)
        .map(|(_, stage)| stage)
}

/// A turn that opens with a summary of the whole design ("To summarise: ...").
pub fn is_summary(text: &str) -> bool {
    sentences(text)
        .first()
        .is_some_and(|r| summary_cues().matches(&Tokens::new(&text[r.clone()])))
}

/// Words of a question about the interview, the job or life on the team rather than the
/// problem: its rounds, the time left, the recruiter, on-call, working remotely.
fn interview_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "this interview",
            "the interview",
            "interview process",
            "next interview",
            "this round",
            "next round",
            "last round",
            "final round",
            "rounds left",
            "rounds are left",
            "more rounds",
            "other rounds",
            "recruiter",
            "hiring",
            "hiring manager",
            "on call",
            "oncall",
            "team remote",
            "remote work*",
            "work remote*",
            "work from home",
            "salary",
            "compensation",
            "next steps after today",
            "next steps after this",
            "next steps for me",
            "minutes left",
            "minutes do we have",
            "time left",
            "time do we have",
            "how long do we have",
            "this role",
            "join the team",
            "how big is the team",
            "how many people are on your team",
            "team size",
            "work life balance",
            "the office",
            "relocat*",
        ])
    })
}

/// A question about the interview or the job, not the problem ("is this the last round",
/// "how does on-call work on this team"): it shows no checkpoint and asks for no fact.
pub fn about_the_interview(tokens: &Tokens) -> bool {
    interview_cues().matches(tokens)
}

/// Words that put the question off: to later, or until something else is done first.
fn put_off_cues() -> &'static CueSet {
    static CUES: OnceLock<CueSet> = OnceLock::new();
    CUES.get_or_init(|| {
        CueSet::new([
            "come back to",
            "get back to",
            "circle back",
            "return to that",
            "return to it",
            "revisit that",
            "park that",
            "park it",
            "park this",
            "that later",
            "it later",
            "this later",
            "later on",
            "let me * first",
            "let s * first",
            "i ll * first",
            "i d like to * first",
            "let me talk about",
            "let me think about that",
            "let me think about it",
            "let s talk about",
            "let s move",
        ])
    })
}

/// Words that make a short sentence an acknowledgement and nothing more ("Right, okay.",
/// "That's a good point.").
const ACKNOWLEDGING: &[&str] = &[
    "right",
    "okay",
    "ok",
    "sure",
    "yes",
    "yeah",
    "yep",
    "yup",
    "hmm",
    "um",
    "uh",
    "mm",
    "so",
    "that",
    "that's",
    "thats",
    "s",
    "is",
    "a",
    "very",
    "really",
    "good",
    "great",
    "fair",
    "nice",
    "point",
    "question",
    "interesting",
    "true",
    "makes",
    "sense",
    "enough",
    "got",
    "it",
    "i",
    "see",
    "agreed",
    "agree",
    "absolutely",
    "exactly",
    "thanks",
    "thank",
    "you",
    "cool",
    "alright",
    "of",
    "course",
    "definitely",
    "totally",
];

/// A sentence that only acknowledges.
fn acknowledges(sentence: &str) -> bool {
    let tokens = Tokens::new(sentence);
    !tokens.tokens.is_empty()
        && tokens.tokens.len() <= 7
        && (tokens.tokens.iter()).all(|t| ACKNOWLEDGING.contains(&t.lower.as_str()))
}

/// A reply that does not take a question up, however near its words are to it: each sentence
/// acknowledges, asks something back, puts the question off ("Let me come back to that", "Let
/// me write the validation first"), asks to move on, is a bare list of terms, or shows nothing.
/// A put-off is short: a long sentence that mentions "later" is usually an answer with a plan
/// in it.
pub fn evades(reply: &str) -> bool {
    let ranges = sentences(reply);
    !ranges.is_empty()
        && ranges.iter().all(|r| {
            let s = reply[r.clone()].trim();
            let tokens = Tokens::new(s);
            acknowledges(s)
                || is_question(s, &tokens)
                || shows_nothing(s)
                || (word_count(s) <= 12 && put_off_cues().matches(&tokens))
                || is_list(s)
                || asks_to_move_on_in(s).is_some()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_about_the_interview_or_the_job_is_told_from_one_about_the_problem() {
        let about = |s: &str| about_the_interview(&Tokens::new(s));
        for asked in [
            "is this the last round or is there another one after",
            "How does on-call work on this team, is it weekly?",
            "how many minutes do we have left",
            "What are the next steps after today?",
            "Is the team remote or in the office?",
        ] {
            assert!(about(asked), "{asked}");
        }
        for asked in [
            "What does the team do with a flagged subscriber?",
            "Do we offer a discount to people likely to cancel?",
            "How long until we know a payment was fraud?",
            "What are the next steps once a payment is flagged?",
            "Are remote card-not-present payments in scope?",
            "Does this position in the carousel get more clicks?",
            "How many rounds of review does a flagged payment get?",
        ] {
            assert!(!about(asked), "{asked}");
        }
    }

    /// A reply that puts the follow-up off, acknowledges it or asks back does not take it up;
    /// a terse answer, a hedge before an answer, or a pushback does.
    #[test]
    fn putting_a_question_off_is_told_from_answering_it() {
        for reply in [
            "Let me come back to that one after the model choice.",
            "Hmm, let me think about that and come back to it.",
            "Okay, let me write the validation first.",
            "That's a good point.",
            "Right, okay. Should I start coding?",
            "Good question. Let's talk about the serving side.",
        ] {
            assert!(evades(reply), "{reply}");
        }
        for reply in [
            "Target-encode it with smoothing, fitted out of fold.",
            "All go to test.",
            "Good question. The 100 ms budget, because it rules out a big model.",
            "I wouldn't, since the labels only arrive later and we'd train on partial ones.",
            "Weekly, and earlier if the drift alarm fires later in the week.",
        ] {
            assert!(!evades(reply), "{reply}");
        }
    }
}
