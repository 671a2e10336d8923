/// A tenant slug: lowercase letters, digits and `-`, 1 to 63 characters, not starting or ending
/// with `-` (so it is also a valid DNS label).
pub const SLUG_PATTERN: &str = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
pub const SLUG_MAX_LEN: usize = 63;

pub fn is_valid_slug(slug: &str) -> bool {
    let bytes = slug.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= SLUG_MAX_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_dns_label_rules() {
        for ok in ["a", "acme", "acme-2", "0", &"a".repeat(63)] {
            assert!(is_valid_slug(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "Acme", "a_b", "a.b", "ä", &"a".repeat(64)] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }
}
