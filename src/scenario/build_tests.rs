//! Parsing and checking scenario files: errors with positions, warnings, the misconception
//! and estimate rules.
use super::*;
use crate::scenario::MINIMAL;

fn problems(text: &str) -> Vec<String> {
    match parse(text, "s.toml", Origin::Builtin) {
        Ok(_) => vec![],
        Err(LoadError::Invalid { problems }) => problems.iter().map(|p| p.to_string()).collect(),
        Err(e) => vec![e.to_string()],
    }
}

#[test]
fn a_minimal_file_loads_with_all_framework_checkpoints() {
    let s = parse(MINIMAL, "s.toml", Origin::Builtin).unwrap();
    assert_eq!(s.checkpoints.len(), 37);
    assert_eq!(s.minutes, 60);
}

#[test]
fn syntax_errors_have_positions() {
    let bad = MINIMAL.replace("title = \"Mini\"", "title = \"Mini");
    let p = problems(&bad);
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("s.toml:2:"), "{p:?}");
}

#[test]
fn type_and_unknown_field_errors_have_positions() {
    let p = problems(&MINIMAL.replace("title = \"Mini\"", "title = 3"));
    assert!(p[0].starts_with("s.toml:2:9:"), "{p:?}");
    let p = problems(&format!("{MINIMAL}colour = \"red\"\n"));
    assert!(p[0].contains("unknown field `colour`"), "{p:?}");
}

#[test]
fn semantic_errors_point_at_the_key() {
    let text = format!(
        "{MINIMAL}[stages.clarfy]\nopening = \"x\"\n[checkpoints.\"data.bogus\"]\nanswer = \"y\"\n[[facts]]\nid = \"f\"\ncues = []\nanswer = \"z\"\n"
    );
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|m| m.starts_with("s.toml:9:9: unknown stage 'clarfy'")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("s.toml:11:14:") && m.contains("needs a title")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("s.toml:15:8:") && m.contains("no cues")),
        "{p:?}"
    );
}

#[test]
fn malformed_cues_are_reported() {
    let text = format!("{MINIMAL}[[facts]]\nid = \"f\"\ncues = [\"sign*ed in\"]\nanswer = \"z\"\n");
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|m| m.starts_with("s.toml:11:8:") && m.contains("'*' may only end a word")),
        "{p:?}"
    );
}

#[test]
fn a_cue_of_numbers_alone_is_an_error() {
    let text = format!("{MINIMAL}[checkpoints.\"deployment.scalability\"]\ncues = [\"2,000\"]\n");
    let p = problems(&text);
    assert!(p.iter().any(|m| m.contains("is only numbers")), "{p:?}");
}

#[test]
fn control_characters_are_refused_where_they_are() {
    let file =
        "id = \"x\"\ntitle = \"Fraud \\u001b]0;pwned\\u0007\"\nprompt = \"ok\\tfine \\\\e\"\n";
    let got = problems(file);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].starts_with("s.toml:2:16: control character ^[ (U+001B)"),
        "{got:?}"
    );
    assert!(
        got[1].starts_with("s.toml:2:30: control character ^G (U+0007)"),
        "{got:?}"
    );
    let raw = "id = \"x\"\r\ntitle = \"a\u{202e}b\"\r\n";
    let got = problems(raw);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("s.toml:2:11: control character <U+202E>"),
        "{got:?}"
    );
}

#[test]
fn a_probe_on_a_claim_needs_cues_that_can_match() {
    let with = |when: &str| {
        problems(&format!(
            "{MINIMAL}[stages.training]\nprobes = [{{ text = \"q\", when = {when} }}]\n"
        ))
    };
    assert!(
        with(r##"["smote", "# ms"]"##).is_empty(),
        "{:?}",
        with(r##"["smote", "# ms"]"##)
    );
    let empty = with("[]");
    assert!(
        empty
            .iter()
            .any(|m| m.contains("no `when` cues, so it is never asked")),
        "{empty:?}"
    );
    let numbers = with(r##"["# %"]"##);
    assert!(
        numbers.iter().any(|m| m.contains("only numbers")),
        "{numbers:?}"
    );
}

#[test]
fn probes_must_follow_known_checkpoints() {
    let text = format!(
        "{MINIMAL}[stages.data]\nprobes = [{{ text = \"q\", after = \"data.labelling\" }}]\n"
    );
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|m| m.contains("unknown checkpoint 'data.labelling'")
                && m.starts_with("s.toml:10:")),
        "{p:?}"
    );
}

#[test]
fn one_id_rule_for_files_and_scaffolds() {
    assert_eq!(check_id("ad-ranking-2"), Ok(()));
    for bad in ["", "Ad", "ad_ranking", "ad ranking", "é"] {
        assert!(check_id(bad).is_err(), "{bad:?}");
    }
    let p = problems(&MINIMAL.replace("id = \"mini\"", "id = \"Mini\""));
    assert!(
        p.iter()
            .any(|m| m == "s.toml:1:6: id must be lower-case letters, digits and '-'"),
        "{p:?}"
    );
}

#[test]
fn misconceptions_are_checked_where_they_are_written() {
    let text = format!(
        "{MINIMAL}[[misconceptions]]\nid = \"m\"\nstage = \"trainin\"\ntitle = \"t\"\ncues = [\"random split\"]\nexamples = [\"We split at random.\"]\npushback = \"p\"\ncorrection = \"c\"\n[[misconceptions]]\nid = \"n\"\nstage = \"training\"\ntitle = \"t\"\ncues = []\nexamples = []\npushback = \"p\"\ncorrection = \"c\"\n"
    );
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|m| m.starts_with("s.toml:11:9: unknown stage 'trainin'")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("s.toml:21:8:") && m.contains("no cues")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("s.toml:22:12:") && m.contains("at least one example")),
        "{p:?}"
    );
}

#[test]
fn an_example_that_knows_better_or_cues_that_catch_no_example_are_warnings() {
    let misconception = |cues: &str, examples: &str| {
        format!(
            "{MINIMAL}[[misconceptions]]\nid = \"m\"\nstage = \"training\"\ntitle = \"t\"\ncues = [{cues}]\nexamples = [{examples}]\npushback = \"p\"\ncorrection = \"c\"\n"
        )
    };
    let warned = |text: &str| -> Vec<String> {
        check_text(text, "s.toml")
            .into_iter()
            .filter(|p| p.message.starts_with("misconception 'm'"))
            .map(|p| p.message)
            .collect()
    };
    // An example in other words than the cues is for the semantic reader: no warning.
    let text = misconception(
        "\"random split\"",
        "\"We split at random.\", \"A random split is fine.\", \"Never a random split.\", \"Random split?\"",
    );
    let w = warned(&text);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("Never a random split.") && w[0].contains("knowing better"),
        "{w:?}"
    );
    assert!(
        w[1].contains("Random split?") && w[1].contains("a question"),
        "{w:?}"
    );
    let text = misconception(
        "\"random split\"",
        "\"We split at random.\", \"Shuffle the rows.\"",
    );
    let w = warned(&text);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("catch none of its examples"), "{w:?}");
    let s = parse(&text, "s.toml", Origin::Builtin).unwrap();
    assert_eq!(s.misconceptions.len(), 1);
}

const PEAK: &str = "[[misconceptions]]\nid = \"peak\"\nstage = \"deployment\"\ntitle = \"t\"\nestimate = { low = \"100\", high = \"2,000\" }\ncues = [\"qps\", \"requests per second\", \"a second\", \"requests * second\"]\nexamples = [\"At peak that is 50,000 requests per second.\"]\npushback = \"Where does {said} come from?\"\ncorrection = \"c\"\n";

#[test]
fn an_estimate_is_stated_by_a_number_out_of_range_next_to_its_cue() {
    let s = parse(&format!("{MINIMAL}{PEAK}"), "s.toml", Origin::Builtin).unwrap();
    let m = &s.misconceptions[0];
    let stated = |text: &str| m.stated(text, &crate::cue::Tokens::new(text));
    // Out of range (the default factor of 3 either side of 100..2,000), however written.
    for off in [
        "At peak that is 50,000 requests per second.",
        "We need a QPS of roughly 20k.",
        "Call it 10 requests a second on average.",
        "That comes to 1.5 million requests per second.",
    ] {
        assert!(stated(off), "{off}");
    }
    for fine in [
        "That is about 100 requests per second on average and 2,000 at peak.",
        "Peak QPS is around 5,000 with headroom.",
        // A number for something else, or too far from the cue to be its number.
        "We keep 3 TB of logs and serve requests per second from a cache.",
        "Eight million a day, with a 20x peak, and we measure requests per second.",
        "There are 50,000 merchants, and we handle requests per second well.",
        // A cue whose words run across a clause break counts nothing.
        "That is 8 million requests a day, 100 a second on average.",
    ] {
        assert!(!stated(fine), "{fine}");
    }
    let quote = "We need a QPS of roughly 20k.";
    assert_eq!(m.pushback_for(quote), "Where does 20k come from?");
}

#[test]
fn an_estimate_is_checked_where_it_is_written() {
    let bad = PEAK.replace("high = \"2,000\"", "high = \"3 TB\"");
    let p = problems(&format!("{MINIMAL}{bad}"));
    assert!(p.iter().any(|m| m.contains("same unit")), "{p:?}");
    let bad = PEAK.replace("low = \"100\"", "low = \"lots\"");
    let p = problems(&format!("{MINIMAL}{bad}"));
    assert!(
        p.iter().any(|m| m.contains("'lots' is not one number")),
        "{p:?}"
    );
    let plain = PEAK.replace("estimate = { low = \"100\", high = \"2,000\" }\n", "");
    let p = problems(&format!("{MINIMAL}{plain}"));
    assert!(p.iter().any(|m| m.contains("{said}")), "{p:?}");
}

#[test]
fn a_fact_names_a_clarify_checkpoint_that_exists() {
    let fact = |checkpoint: &str| {
        format!(
            "{MINIMAL}[[facts]]\nid = \"f\"\ncheckpoint = \"{checkpoint}\"\ncues = [\"volume\"]\nanswer = \"z\"\n"
        )
    };
    let p = problems(&fact("data.sources"));
    assert!(
        p.iter().any(|m| m.starts_with("s.toml:11:14:")
            && m.contains(
                "'data.sources' is a data checkpoint; a question earns only clarify ones"
            )),
        "{p:?}"
    );
    let p = problems(&fact("clarify.volume"));
    assert!(
        p.iter()
            .any(|m| m.contains("unknown checkpoint 'clarify.volume'")),
        "{p:?}"
    );
    let s = parse(&fact("clarify.scale"), "s.toml", Origin::Builtin).unwrap();
    let k = s.facts[0].checkpoint.expect("the fact's checkpoint");
    assert_eq!(s.checkpoints[k].id, "clarify.scale");
}
