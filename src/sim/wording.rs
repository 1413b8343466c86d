//! A simulated candidate's own wording: the same content said differently from run to run, so
//! that a reader tuned to the scenario's exact sentences is found out. Only the glue changes
//! (how a sentence opens, connectives, hedges on numbers); the domain terms a real candidate
//! would also use stay, since changing them would change what was said.

/// A small deterministic generator (splitmix64): the same seed gives the same wording, so a
/// run can be replayed from its seed.
#[derive(Debug, Clone)]
pub struct Wording {
    state: u64,
}

impl Wording {
    pub fn new(seed: u64) -> Wording {
        Wording { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[(self.next() % options.len() as u64) as usize]
    }

    /// `text` in other words: each sentence may open differently, and connectives and hedges
    /// are swapped for equivalents.
    pub fn say(&mut self, text: &str) -> String {
        let sentences = crate::cue::sentences(text);
        let mut out = Vec::with_capacity(sentences.len());
        for r in sentences {
            let mut s = text[r].trim().to_string();
            for (from, to) in SWAPS {
                if s.contains(from) {
                    let choice = self.pick(to);
                    s = s.replacen(from, choice, 1);
                }
            }
            s = self.open(&s);
            out.push(s);
        }
        out.join(" ")
    }

    /// A sentence's opening, said another way: "I'd use" as "I would use" or "My plan would be
    /// to use"; any other sentence, now and then, after a short lead-in.
    fn open(&mut self, s: &str) -> String {
        for lead in ["I'd ", "I would "] {
            if let Some(rest) = s.strip_prefix(lead) {
                let opening = self.pick(&[
                    "I'd ",
                    "I would ",
                    "My plan would be to ",
                    "What I'd do is ",
                ]);
                return format!("{opening}{rest}");
            }
        }
        let lead = self.pick(&["", "", "", "Here, ", "Concretely, ", "So, "]);
        if lead.is_empty() {
            return s.to_string();
        }
        // Lower-case the old first word unless it is a name or an acronym ("PR-AUC", "I").
        let mut words = s.splitn(2, ' ');
        let first = words.next().unwrap_or("");
        let rest = words.next().map(|r| format!(" {r}")).unwrap_or_default();
        let keep = first == "I"
            || first.starts_with("I'")
            || first
                .chars()
                .skip(1)
                .any(|c| c.is_uppercase() || c.is_ascii_digit());
        let first = if keep {
            first.to_string()
        } else {
            let mut c = first.chars();
            c.next()
                .map(|f| f.to_lowercase().chain(c).collect())
                .unwrap_or_default()
        };
        format!("{lead}{first}{rest}")
    }
}

/// Glue words and their equivalents, each tried once a sentence.
const SWAPS: &[(&str, &[&str])] = &[
    (" because ", &[" because ", " since ", " as "]),
    (
        " for example ",
        &[" for example ", " for instance ", " say, "],
    ),
    (" such as ", &[" such as ", " like "]),
    (" about ", &[" about ", " roughly ", " around "]),
    (" so that ", &[" so that ", " so "]),
    (" and then ", &[" and then ", " and after that "]),
];

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "I'd use gradient-boosted trees because they handle tabular data well. \
        Labels arrive after about 30 days, for example from chargebacks. PR-AUC is the metric.";

    #[test]
    fn the_same_seed_says_it_the_same_way_and_others_differently() {
        let once = Wording::new(7).say(TEXT);
        assert_eq!(once, Wording::new(7).say(TEXT));
        let all: std::collections::BTreeSet<String> =
            (0..12).map(|seed| Wording::new(seed).say(TEXT)).collect();
        assert!(all.len() >= 6, "{all:#?}");
    }

    #[test]
    fn only_the_glue_changes() {
        for seed in 0..20 {
            let said = Wording::new(seed).say(TEXT);
            for term in [
                "gradient-boosted trees",
                "tabular data",
                "30 days",
                "chargebacks",
                "PR-AUC",
            ] {
                assert!(said.contains(term), "{seed}: {said}");
            }
            // An acronym keeps its capitals after a lead-in.
            assert!(!said.contains("pR-AUC"), "{said}");
        }
    }
}
