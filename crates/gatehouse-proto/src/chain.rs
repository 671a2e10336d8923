//! Errors logged with their causes.

use std::error::Error;
use std::fmt;

/// Displays an error followed by each of its sources: `outer: cause: root cause`. Log errors
/// through it (`tracing::error!(error = %ErrorChain(&err), …)`) so that the cause a wrapper
/// carries in `#[source]` is not lost; a wrapper's own message should then not repeat it.
pub struct ErrorChain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(err) = cause {
            write!(f, ": {err}")?;
            cause = err.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorChain;

    #[derive(Debug, thiserror::Error)]
    #[error("could not save the order")]
    struct Outer(#[source] Middle);

    #[derive(Debug, thiserror::Error)]
    #[error("database error")]
    struct Middle(#[source] std::io::Error);

    #[test]
    fn names_every_cause_in_order() {
        let err = Outer(Middle(std::io::Error::other("connection reset")));
        assert_eq!(
            ErrorChain(&err).to_string(),
            "could not save the order: database error: connection reset"
        );
    }
}
