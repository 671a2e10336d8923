/// Whether an `If-Match` / `If-None-Match` value names `etag`: `*`, or one of its listed tags
/// by weak comparison (RFC 9110 §8.8.3.2), which is what `If-None-Match` asks for and what a
/// strong tag gets from `If-Match` too.
pub fn etag_matches(condition: &str, etag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    condition.trim() == "*" || condition.split(',').any(|t| opaque(t) == opaque(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_tags_match_by_weak_comparison_or_star() {
        assert!(etag_matches("\"a\"", "\"a\""));
        assert!(etag_matches("\"x\", W/\"a\"", "\"a\""));
        assert!(etag_matches("*", "\"a\""));
        assert!(!etag_matches("\"b\"", "\"a\""));
    }
}
