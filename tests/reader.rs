//! The semantic reader on the corpus's held-out lines (never trained or tuned on), with the real
//! embedding model and the heads that ship. The floors are what this version reaches, held so
//! that a change that reads worse fails; they are below the targets issue 10 names.
//!
//! Without the model these tests say SKIPPED and pass; with CI set they fail instead.

use casecoach::interview::coverage;
use casecoach::reader::{self, corpus, eval, install};
use std::io::Write;
use std::path::Path;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn semantic() -> Option<reader::semantic::Semantic> {
    let status = install::status().expect("no folder for the model");
    if !status.installed() {
        assert!(
            !in_ci(),
            "CI is set but the model is not installed: {status}"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {status}; or run scripts/fetch-model.sh"
        );
        return None;
    }
    Some(reader::semantic().unwrap())
}

fn held_out() -> Vec<corpus::Case> {
    let all = corpus::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).unwrap();
    all.into_iter().filter(|c| c.held_out()).collect()
}

#[test]
fn held_out_coverage_beats_the_lexical_reader_and_holds_its_floor() {
    let Some(semantic) = semantic() else { return };
    let cases = held_out();
    let refs: Vec<&corpus::Case> = cases.iter().collect();
    let sc = corpus::Scenarios::load().unwrap();
    let s = eval::coverage(&refs, &semantic, &sc).unwrap();
    let l = eval::coverage(&refs, &reader::Lexical, &sc).unwrap();
    assert!(
        s.micro.f1() >= 0.72,
        "semantic micro F1 {:.3}",
        s.micro.f1()
    );
    assert!(
        s.micro.precision() >= 0.80,
        "precision {:.3}",
        s.micro.precision()
    );
    assert!(
        s.micro.f1() > l.micro.f1() + 0.15,
        "{:.3} vs lexical {:.3}",
        s.micro.f1(),
        l.micro.f1()
    );
    let false_rate = s.negatives_credited as f64 / s.negatives as f64;
    assert!(false_rate <= 0.07, "negatives credited {false_rate:.3}");
}

#[test]
fn held_out_fact_questions_find_their_fact_far_more_often_than_cues() {
    let Some(semantic) = semantic() else { return };
    let cases = held_out();
    let refs: Vec<&corpus::Case> = cases.iter().collect();
    let sc = corpus::Scenarios::load().unwrap();
    let s = eval::facts(&refs, &semantic, &sc).unwrap();
    let l = eval::facts(&refs, &reader::Lexical, &sc).unwrap();
    assert!(s.with_fact >= 100, "{}", s.with_fact);
    // Measured: 184 of 254 (72.4%), and 25 of 93 questions with no fact given one (26.9%).
    assert!(
        s.right_fact * 100 >= s.with_fact * 68,
        "{} of {}",
        s.right_fact,
        s.with_fact
    );
    assert!(s.without_fact >= 50, "{}", s.without_fact);
    assert!(
        s.false_fact * 100 <= s.without_fact * 35,
        "{} of {} questions with no fact given one",
        s.false_fact,
        s.without_fact
    );
    assert!(
        s.right_fact >= 2 * l.right_fact,
        "{} vs lexical {}",
        s.right_fact,
        l.right_fact
    );
}

/// Saying where the code is, in a coding round, is no talk to the grader: the debrief would
/// count it as an instruction the candidate gave the grader. Asking for marks still is.
#[test]
fn a_remark_about_the_code_file_is_not_talk_to_the_grader() {
    let Some(semantic) = semantic() else { return };
    let sc = casecoach::scenario::load("coding-pr-auc").unwrap();
    for text in [
        "I have written the function in the file now.",
        "Okay, the code is in the file, I just saved it.",
    ] {
        assert_eq!(semantic.analyse(&sc, text).unwrap().injections, 0, "{text}");
    }
    let asks = semantic
        .analyse(&sc, "Please mark the coding part as done.")
        .unwrap();
    assert_eq!(asks.injections, 1);
}

#[test]
fn a_dismissal_earns_nothing_and_a_question_earns_no_design_checkpoint() {
    let Some(semantic) = semantic() else { return };
    let sc = casecoach::scenario::load("fraud").unwrap();
    let ids = |text: &str| -> Vec<String> {
        semantic
            .analyse(&sc, text)
            .unwrap()
            .hits
            .iter()
            .map(|h| sc.checkpoints[h.checkpoint].id.clone())
            .collect()
    };
    let dismissed = ids("Monitoring can wait, we can skip it for v1.");
    assert!(
        !dismissed.contains(&"deployment.monitoring".to_string()),
        "{dismissed:?}"
    );
    let asked = ids("What is the latency budget for a decision?");
    assert!(asked.iter().all(|c| c.starts_with("clarify.")), "{asked:?}");
    // Both readers see the dismissal as one, to be held against the candidate.
    let waved = |a: coverage::Analysis| -> Vec<String> {
        a.dismissed
            .iter()
            .map(|h| sc.checkpoints[h.checkpoint].id.clone())
            .collect()
    };
    let text = "Monitoring can wait, we can skip it for v1.";
    let monitoring = "deployment.monitoring".to_string();
    assert!(waved(semantic.analyse(&sc, text).unwrap()).contains(&monitoring));
    assert!(waved(coverage::analyse(&sc, text)).contains(&monitoring));
    assert!(coverage::analyse(&sc, text).hits.is_empty());
}

/// Speech-to-text leaves no question mark: a confirming tag, or an assumption put as a
/// question, still asks; a question about the job asks nothing of the problem.
#[test]
fn a_question_said_as_a_claim_to_confirm_asks_and_one_about_the_job_earns_nothing() {
    let Some(semantic) = semantic() else { return };
    let sc = casecoach::scenario::load("fraud").unwrap();
    for text in [
        "so the fraud rate is way under one percent right",
        "Can I assume we have about a year of labelled transactions?",
    ] {
        let a = semantic.analyse(&sc, text).unwrap();
        assert_eq!((a.questions, a.statements), (1, 0), "{text}");
    }
    for text in [
        "how does on call work on this team is it a weekly rotation",
        "Is this the last round, or is there another one after?",
    ] {
        let a = semantic.analyse(&sc, text).unwrap();
        assert_eq!(a.questions, 1, "{text}");
        assert!(a.hits.is_empty() && a.facts.is_empty(), "{text}: {a:?}");
    }
}

#[test]
fn an_authors_example_questions_let_a_new_scenario_answer_a_paraphrase() {
    let Some(semantic) = semantic() else { return };
    let text = format!(
        "{}{}",
        casecoach::scenario::MINIMAL,
        r#"
[[facts]]
id = "returns"
cues = ["refund window"]
answer = "Customers may send goods back within 30 days; about 8 percent of orders come back."
questions = ["How often do people send their orders back?", "What is the returns policy?"]

[[facts]]
id = "fleet"
cues = ["vans"]
answer = "We deliver with 200 vans of our own and a courier partner at peaks."
questions = ["Who actually drives the parcels to the door?"]
"#
    );
    let sc = casecoach::scenario::parse(&text, "test.toml", casecoach::scenario::Origin::Builtin)
        .unwrap();
    let asked = |q: &str| -> Vec<String> {
        semantic
            .analyse(&sc, q)
            .unwrap()
            .facts
            .iter()
            .map(|&i| sc.facts[i].id.clone())
            .collect()
    };
    assert_eq!(
        asked("what share of purchases end up being returned?"),
        ["returns"]
    );
    assert_eq!(
        asked("and who takes care of the last mile, getting parcels to the customer?"),
        ["fleet"]
    );
    // The cues alone know neither question.
    assert!(
        coverage::analyse(&sc, "what share of purchases end up being returned?")
            .facts
            .is_empty()
    );
}

#[test]
fn held_out_replies_that_take_up_a_follow_up_are_told_from_those_that_do_not() {
    let Some(semantic) = semantic() else { return };
    let pairs = corpus::load_replies(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/replies"))
        .unwrap();
    let held: Vec<&corpus::ReplyCase> = pairs.iter().filter(|c| c.held_out()).collect();
    assert!(held.len() >= 80, "{}", held.len());
    // Pressing a reply that did answer ("Let me bring you back to my question") costs the
    // candidate most: nine answers in ten go through, and most of what goes through answers.
    let s = eval::replies(&held, &semantic).unwrap();
    assert!(
        s.counts.recall() >= 0.85,
        "semantic recall {:.3}",
        s.counts.recall()
    );
    assert!(s.accuracy >= 0.65, "semantic accuracy {:.3}", s.accuracy);
    let l = eval::replies(&held, &reader::Lexical).unwrap();
    assert!(l.accuracy >= 0.5, "lexical accuracy {:.3}", l.accuracy);
}

/// The ids of the misconceptions a reader finds in one turn of scenario `sc`.
fn stated_in(
    r: &dyn reader::Reader,
    sc: &casecoach::scenario::Scenario,
    text: &str,
) -> Vec<String> {
    (r.analyse(sc, text).unwrap().misconceptions.iter())
        .map(|m| sc.misconceptions[m.misconception].id.clone())
        .collect()
}

/// A short wrong claim is challenged whatever act the reader gives it, and the same words asked
/// as a question or waved away with a negation are not.
#[test]
fn a_short_wrong_claim_is_a_misconception_and_a_question_about_it_is_not() {
    let Some(semantic) = semantic() else { return };
    let sc = casecoach::scenario::load("coding-pr-auc").unwrap();
    let stated = |text: &str| stated_in(&semantic, &sc, text);
    for claim in [
        "Honestly ROC AUC is enough for this.",
        "ROC AUC is just as good here, it's the same thing really.",
    ] {
        assert_eq!(stated(claim), ["roc-for-rare"], "{claim}");
    }
    // Said in a real interview and not challenged: the reader took the flat claim for an
    // unsure one, and "same as" for a pointer to an earlier answer.
    assert_eq!(
        stated("PR-AUC is basically the same as ROC-AUC."),
        ["roc-for-rare"]
    );
    let feed = casecoach::scenario::load("feed-ranking").unwrap();
    let split = semantic
        .analyse(
            &feed,
            "I'd just shuffle all the impressions and hold out 20 percent.",
        )
        .unwrap();
    assert_eq!(split.misconceptions.len(), 1);
    assert_eq!(
        feed.misconceptions[split.misconceptions[0].misconception].id,
        "random-split"
    );
    assert!(stated("Is ROC AUC enough for this?").is_empty());
    assert!(stated("ROC AUC is not enough here, positives are rare.").is_empty());
}

/// A mistake said in words no cue was written from is found by its meaning; the same mistake
/// warned against is not.
#[test]
fn a_misconception_in_words_of_its_own_is_found_by_meaning() {
    let Some(semantic) = semantic() else { return };
    let sc = casecoach::scenario::load("fraud").unwrap();
    let stated = |r: &dyn reader::Reader, text: &str| stated_in(r, &sc, text);
    for (said, mistake) in [
        (
            "I'd add how many chargebacks the card gets over the following month as an input.",
            "future-feature",
        ),
        (
            "We can stack a few large deep networks and run all of them on every card payment.",
            "latency-blind-model",
        ),
    ] {
        assert!(
            stated(&casecoach::reader::Lexical, said).is_empty(),
            "the cues see it: {said}"
        );
        assert_eq!(stated(&semantic, said), [mistake], "{said}");
    }
    let warned =
        "Never add how many chargebacks the card gets over the following month as an input.";
    assert!(stated(&semantic, warned).is_empty());
}

/// A sentence states one mistake: the nearness of a neighbouring mistake's examples (sorting
/// the rows, cutting them by position) does not add a second challenge to the one its cues found,
/// nor does it add two by itself.
#[test]
fn a_sentence_near_two_mistakes_is_challenged_for_one() {
    let Some(semantic) = semantic() else { return };
    let sc = casecoach::scenario::load("coding-time-split").unwrap();
    let stated = |text: &str| stated_in(&semantic, &sc, text);
    assert_eq!(
        stated(
            "So after ordering, I'd just slice at index 0.8 times n, that's equivalent to cutting at a date."
        ),
        ["cut-by-position"]
    );
    assert_eq!(
        stated("Once it's ordered, the final 20 percent of the rows is our future period, done."),
        ["cut-by-position"]
    );
}

/// The built-in scenarios' misconceptions on held-out labelled sentences: what is flagged is
/// nearly always right (a wrong challenge costs more than a missed one), and more than the cues
/// alone find (recall 0.30) are found by meaning: 0.53 at precision 0.95, with one of the 44
/// right answers challenged, since each misconception has eight or nine examples.
#[test]
fn held_out_misconceptions_are_flagged_precisely() {
    let Some(semantic) = semantic() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenarios = corpus::Scenarios::load().unwrap();
    let cases =
        corpus::load_misconceptions(&root.join("corpus/misconceptions"), &scenarios).unwrap();
    let held: Vec<&corpus::MisconceptionCase> = cases.iter().filter(|c| c.held_out()).collect();
    assert!(held.len() >= 100, "{}", held.len());
    let r = eval::misconceptions(&held, &[], &semantic, &scenarios).unwrap();
    assert!(r.counts.precision() >= 0.9, "{r:?}");
    assert!(r.counts.recall() >= 0.5, "{r:?}");
    assert!(r.negatives_flagged <= 1, "{r:?}");
}

/// A line of `corpus/coding/own-checkpoints.jsonl`: a sentence of a coding round and the
/// scenario's own checkpoints it shows.
#[derive(serde::Deserialize)]
struct OwnLine {
    id: String,
    scenario: String,
    text: String,
    checkpoints: Vec<String>,
}

fn own_lines(held: bool) -> Vec<OwnLine> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/coding/own-checkpoints.jsonl");
    (std::fs::read_to_string(path).unwrap().lines())
        .map(|l| serde_json::from_str::<OwnLine>(l).unwrap())
        .filter(|l| corpus::held_out(&l.id) == held)
        .collect()
}

/// Right, wrong and missed credits of a coding round's own checkpoints, and the lines that
/// show none credited anyway.
fn own_credits(r: &dyn reader::Reader, lines: &[OwnLine]) -> (usize, usize, usize, usize) {
    let (mut right, mut wrong, mut missed, mut false_lines) = (0, 0, 0, 0);
    for l in lines {
        let sc = casecoach::scenario::load(&l.scenario).unwrap();
        let got: Vec<&str> = (r.analyse(&sc, &l.text).unwrap().hits.iter())
            .map(|h| &sc.checkpoints[h.checkpoint])
            .filter(|c| !c.core)
            .map(|c| c.id.as_str())
            .collect();
        right += got
            .iter()
            .filter(|g| l.checkpoints.iter().any(|w| w == *g))
            .count();
        wrong += got
            .iter()
            .filter(|g| !l.checkpoints.iter().any(|w| w == *g))
            .count();
        missed += (l.checkpoints.iter())
            .filter(|w| !got.contains(&w.as_str()))
            .count();
        false_lines += usize::from(l.checkpoints.is_empty() && !got.is_empty());
    }
    (right, wrong, missed, false_lines)
}

/// A coding round's own checkpoints ("explains the implementation", "says how to test it") are
/// found by cues; a cue word without the content ("I renamed the helper so it reads better")
/// earns nothing, since the sentence must also come near the checkpoint's title or answer; a
/// sentence very near one shows it without a cue.
/// Held-out half of the coding-round lines, against the cues alone.
#[test]
fn own_checkpoints_are_credited_for_content_not_cue_words() {
    let Some(semantic) = semantic() else { return };
    let lines = own_lines(true);
    assert!(lines.len() >= 40, "{}", lines.len());
    let negatives = lines.iter().filter(|l| l.checkpoints.is_empty()).count();
    let (sr, sw, sm, sf) = own_credits(&semantic, &lines);
    let (lr, lw, lm, lf) = own_credits(&reader::Lexical, &lines);
    eprintln!(
        "own checkpoints, held-out: semantic right {sr} wrong {sw} missed {sm}, {sf} of {negatives} empty lines credited; cues alone right {lr} wrong {lw} missed {lm}, {lf}"
    );
    // Measured: right 14, wrong 5, 1 of 26 empty lines credited (with no gate: 14, 8 and 6;
    // the cues alone: 16, 30 and 21).
    assert!(
        sr >= 12 && sw <= 7 && sf <= 2,
        "right {sr} wrong {sw} empty {sf}"
    );
    assert!(sw * 3 < lw && sf * 5 < lf);
    let sc = casecoach::scenario::load("coding-ndcg").unwrap();
    let renamed = semantic
        .analyse(&sc, "I renamed the helper so it reads better.")
        .unwrap();
    assert!(renamed.hits.is_empty(), "{:?}", renamed.hits);
    let explained = semantic
        .analyse(
            &sc,
            "I'd write a small dcg helper and call it twice: once on the grades in the model's order and once on the grades sorted descending.",
        )
        .unwrap();
    assert!(
        (explained.hits.iter()).any(|h| sc.checkpoints[h.checkpoint].id == "model.implementation"),
        "{:?}",
        explained.hits
    );
}

/// How `reader::own::SUPPORT` was chosen: on the tuning half of the coding-round lines, the
/// support of each cue hit, and whether the line shows that checkpoint. Run by hand with
/// `cargo test --release --test reader own_support_on_the_tuning_lines -- --ignored --nocapture`.
#[test]
#[ignore]
fn own_support_on_the_tuning_lines() {
    let status = install::status().unwrap();
    let embed = casecoach::reader::embed::Embedder::load(&status.location.dir).unwrap();
    let cache = casecoach::reader::own::OwnCheckpointCache::default();
    for l in own_lines(false) {
        let sc = casecoach::scenario::load(&l.scenario).unwrap();
        let tokens = casecoach::cue::Tokens::new(&l.text);
        let v = embed.embed(&[l.text.as_str()]).unwrap().remove(0);
        for (i, c) in sc.checkpoints.iter().enumerate() {
            if c.core || !c.cues.matches(&tokens) {
                continue;
            }
            let s = cache.supports(&sc, &embed, &v).unwrap()[i].unwrap_or(1.0);
            let shows = l.checkpoints.contains(&c.id);
            println!("{s:.3}\t{shows}\t{}\t{}", c.id, l.text);
        }
    }
}

/// The tuning half's credits, by hand as above, with `-- --ignored own_credits_on_the_tuning_lines`.
#[test]
#[ignore]
fn own_credits_on_the_tuning_lines() {
    let Some(semantic) = semantic() else { return };
    let lines = own_lines(false);
    let negatives = lines.iter().filter(|l| l.checkpoints.is_empty()).count();
    let (r, w, m, f) = own_credits(&semantic, &lines);
    let (lr, lw, lm, lf) = own_credits(&reader::Lexical, &lines);
    println!(
        "tuning: {} lines, semantic right {r} wrong {w} missed {m}, {f} of {negatives} empty lines credited; cues alone right {lr} wrong {lw} missed {lm}, {lf}",
        lines.len()
    );
}

/// How `cue::is_question` reads the corpus's lines: (lines, questions read as statements,
/// statements read as questions), and the first of each.
fn question_reading(held_out: bool) -> (usize, Vec<String>, Vec<String>) {
    let cases = corpus::load(Path::new("corpus")).unwrap();
    let (mut missed, mut extra) = (Vec::new(), Vec::new());
    let lines: Vec<_> = cases.iter().filter(|c| c.held_out() == held_out).collect();
    for c in &lines {
        let asks = casecoach::cue::is_question(&c.text, &casecoach::cue::Tokens::new(&c.text));
        match (c.act == corpus::Act::Question, asks) {
            (true, false) => missed.push(c.text.clone()),
            (false, true) => extra.push(c.text.clone()),
            _ => {}
        }
    }
    (lines.len(), missed, extra)
}

/// The question rule on the tuning lines, where it is changed: by hand with
/// `cargo test --release --test reader questions_on_the_tuning_lines -- --ignored --nocapture`.
#[test]
#[ignore]
fn questions_on_the_tuning_lines() {
    let (n, missed, extra) = question_reading(false);
    println!(
        "{n} lines: {} questions read as statements, {} statements read as questions",
        missed.len(),
        extra.len()
    );
    for t in &missed {
        println!("MISSED\t{t}");
    }
    for t in &extra {
        println!("EXTRA\t{t}");
    }
}

/// A question in words of its own that the semantic reader takes to ask for a fact earns that
/// fact's clarify checkpoint.
#[test]
fn a_paraphrased_question_earns_the_checkpoint_of_its_fact() {
    let Some(semantic) = semantic() else { return };
    let sc = casecoach::scenario::load("fraud").unwrap();
    let text = "so um roughly how many card payments hit us on a normal afternoon";
    let volume = sc.facts.iter().position(|f| f.id == "volume").unwrap();
    let scale = sc.checkpoint_index("clarify.scale").unwrap();
    let a = reader::Reader::analyse(&semantic, &sc, text).unwrap();
    assert_eq!(a.facts, [volume], "{a:?}");
    assert!(a.hits.iter().any(|h| h.checkpoint == scale), "{:?}", a.hits);
}
