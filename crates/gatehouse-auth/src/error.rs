use gatehouse_proto::{ApiProblem, FieldError, Problem, ProblemType};
use sea_orm::{DbErr, SqlErr};

use crate::keys::KeyError;

/// Everything the auth server's admin operations can fail with. Each variant maps to one
/// problem document; the token endpoint answers RFC 6749 errors instead (`api::oauth::errors::TokenResponse`).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    NotFound(String),
    /// Fields the OpenAPI document already rules out (400).
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// Well-formed fields that cannot be served: they disagree with each other, or with the
    /// platform's policy (422).
    #[error("unprocessable fields")]
    Unprocessable(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("database error")]
    Database(#[source] DbErr),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// A secret at rest could not be sealed or opened (a missing key-encryption key, say).
    #[error("{0}")]
    Sealing(String),
}

impl From<DbErr> for AuthError {
    fn from(err: DbErr) -> Self {
        // An update that found no row: another request deleted it in between.
        if matches!(err, DbErr::RecordNotUpdated) {
            return Self::NotFound("it was deleted meanwhile".into());
        }
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict("a record with this name already exists".into())
            }
            _ => Self::Database(err),
        }
    }
}

impl From<AuthError> for Problem {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::NotFound(what) => Problem::new(ProblemType::NotFound, what),
            AuthError::Invalid(fields) => Problem::invalid_fields(fields),
            AuthError::Unprocessable(fields) => Problem::unprocessable_fields(fields),
            AuthError::Conflict(what) => Problem::new(ProblemType::Conflict, what),
            AuthError::Forbidden(why) => Problem::new(ProblemType::Forbidden, why),
            err if err.is_unavailable() => {
                tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "auth: the database is unavailable");
                Problem::database_unavailable()
            }
            err @ (AuthError::Database(_)
            | AuthError::Key(_)
            | AuthError::PasswordHash(_)
            | AuthError::Sealing(_)) => {
                tracing::error!(error = %gatehouse_proto::ErrorChain(&err), "auth operation failed");
                Problem::from(ProblemType::Internal)
            }
        }
    }
}

impl AuthError {
    /// Whether the database could not be reached: the request may be retried as it is.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Database(err) if gatehouse_proto::database::is_unavailable(err))
    }
}

impl From<AuthError> for ApiProblem {
    fn from(err: AuthError) -> Self {
        Problem::from(err).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PATCH racing a DELETE of the same record (the fuzzer's two workers found it) is a 404,
    /// not a 500.
    #[test]
    fn an_update_of_a_record_deleted_meanwhile_is_not_found() {
        let problem = Problem::from(AuthError::from(DbErr::RecordNotUpdated));
        assert_eq!(problem.status, 404);
    }
}
