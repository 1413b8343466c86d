//! Keys never shown. A key reaches casecoach from the environment, but it can come back in other
//! text: written into a base URL (`https://user:key@host/v1`), or echoed by a server in a 401 body
//! ("invalid Authorization: Bearer sk-..."). `redact` takes out what looks like a credential, and
//! every key casecoach has read (`keep`), from any text before it is shown or logged.

use std::borrow::Cow;
use std::sync::Mutex;

/// Keys read from the environment this run. Held only to be recognised and taken out again.
static KEPT: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Shorter values are not taken out: they would blank ordinary words.
const SHORTEST_KEPT: usize = 6;

const HIDDEN: &str = "***";

/// Remember a key so that `redact` takes it out wherever it appears.
pub fn keep(key: &str) {
    let key = key.trim();
    if key.len() < SHORTEST_KEPT {
        return;
    }
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if !kept.iter().any(|k| k == key) {
        kept.push(key.to_string());
    }
}

/// `text` without credentials: the user-info part of URLs, bearer tokens, `sk-` style keys, and
/// every kept key, each replaced by `***`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    let suspect = text.contains("://")
        || contains_ignore_case(text, "bearer")
        || text.contains("sk-")
        || kept.iter().any(|k| text.contains(k.as_str()));
    if !suspect {
        return Cow::Borrowed(text);
    }
    let mut o = without_userinfo(text);
    for k in kept.iter() {
        o = o.replace(k.as_str(), HIDDEN);
    }
    o = after_marker(&o, "bearer ", true, 8);
    o = after_marker(&o, "sk-", false, 16);
    Cow::Owned(o)
}

fn contains_ignore_case(text: &str, needle: &str) -> bool {
    text.to_ascii_lowercase().contains(needle)
}

/// Characters a token is made of.
fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

/// Hide the token that follows each `marker` when it is at least `shortest` characters long.
fn after_marker(text: &str, marker: &str, ignore_case: bool, shortest: usize) -> String {
    let hay = if ignore_case {
        text.to_ascii_lowercase()
    } else {
        text.to_string()
    };
    let mut o = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(found) = hay[from..].find(marker) {
        let start = from + found + marker.len();
        let len: usize = text[start..]
            .chars()
            .take_while(|&c| token_char(c))
            .map(char::len_utf8)
            .sum();
        o.push_str(&text[from..start]);
        if len >= shortest && &text[start..start + len] != HIDDEN {
            o.push_str(HIDDEN);
        } else {
            o.push_str(&text[start..start + len]);
        }
        from = start + len;
    }
    o.push_str(&text[from..]);
    o
}

/// Every `scheme://user:password@host` with its user-info hidden: `scheme://***@host`.
fn without_userinfo(text: &str) -> String {
    let mut o = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let start = from + found + 3;
        let authority: usize = text[start..]
            .chars()
            .take_while(|&c| !c.is_whitespace() && !matches!(c, '/' | '?' | '#' | '"' | '\''))
            .map(char::len_utf8)
            .sum();
        o.push_str(&text[from..start]);
        match text[start..start + authority].rfind('@') {
            Some(at) => {
                o.push_str(HIDDEN);
                o.push_str(&text[start + at..start + authority]);
            }
            None => o.push_str(&text[start..start + authority]),
        }
        from = start + authority;
    }
    o.push_str(&text[from..]);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_user_info_and_keep_the_rest() {
        assert_eq!(
            redact("cannot reach https://alice:s3cr3t@api.example.com:8443/v1/models"),
            "cannot reach https://***@api.example.com:8443/v1/models"
        );
        assert_eq!(
            redact("http://127.0.0.1:8080/v1 and mailto a@b"),
            "http://127.0.0.1:8080/v1 and mailto a@b"
        );
    }

    #[test]
    fn echoed_authorization_headers_and_keys_are_hidden() {
        let body = r#"{"error":"invalid header Authorization: Bearer sk-proj-AbC123dEf456gHi789 for user"}"#;
        let shown = redact(body);
        assert!(!shown.contains("AbC123"), "{shown}");
        assert!(shown.contains("Bearer ***"), "{shown}");
        assert_eq!(redact("a sk-short token"), "a sk-short token");
        assert_eq!(redact("bearer of bad news"), "bearer of bad news");
    }

    #[test]
    fn a_kept_key_is_hidden_wherever_it_appears() {
        keep("zq-local-key-77fe");
        assert_eq!(
            redact("the server said: key zq-local-key-77fe is revoked"),
            "the server said: key *** is revoked"
        );
        keep("abc");
        assert_eq!(redact("abc stays"), "abc stays");
    }
}
