//! Text matching for Terraform output (diagnostics are word-wrapped and boxed).

/// Strips ANSI escapes and box-drawing characters (U+2500–U+257F, e.g. the
/// `│ ╷ ╵` Terraform puts in front of diagnostic lines) and collapses all
/// whitespace runs to one space.
pub fn normalize_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI sequence: ESC [ params final-byte
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
            continue;
        }
        if c.is_whitespace() || ('\u{2500}'..='\u{257f}').contains(&c) {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// `pattern` matches `text` when, after [`normalize_text`] on both, the
/// pattern's `*`-separated pieces occur in `text` in order (`*` = any text).
pub fn text_matches(text: &str, pattern: &str) -> bool {
    let text = normalize_text(text);
    let pattern = normalize_text(pattern);
    let mut rest = text.as_str();
    for piece in pattern.split('*').map(str::trim).filter(|p| !p.is_empty()) {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Literal containment after [`normalize_text`] on both sides.
pub fn text_contains(text: &str, needle: &str) -> bool {
    normalize_text(text).contains(&normalize_text(needle))
}
