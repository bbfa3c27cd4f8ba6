//! Turning database errors into the typed errors lucia's store contract asks for.

use lucia::StoreError;
use sqlx::error::ErrorKind;

/// What a failed statement says about a constraint.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Violation {
    /// A unique (or primary key) constraint; the index or column it names, if known.
    Unique(Option<String>),
    /// A foreign key: the referenced user does not exist.
    ForeignKey,
    /// Anything else.
    None,
}

pub(crate) fn violation(err: &sqlx::Error) -> Violation {
    let Some(db) = err.as_database_error() else {
        return Violation::None;
    };
    match db.kind() {
        ErrorKind::UniqueViolation => Violation::Unique(
            db.constraint()
                .map(str::to_owned)
                .or_else(|| constraint_from_message(db.message())),
        ),
        ErrorKind::ForeignKeyViolation => Violation::ForeignKey,
        _ => Violation::None,
    }
}

/// SQLite: `UNIQUE constraint failed: users.email`; MySQL 8: `Duplicate entry 'x' for key
/// 'users.email'`; MariaDB: `... for key 'email'`. Returns the part after the table name.
fn constraint_from_message(message: &str) -> Option<String> {
    let named = if let Some((_, rest)) = message.split_once("constraint failed: ") {
        rest.split(',').next()?.trim()
    } else {
        let (_, rest) = message.rsplit_once("for key '")?;
        rest.strip_suffix('\'')?
    };
    let name = named.rsplit('.').next()?;
    Some(name.to_owned())
}

/// Whether a unique-constraint name denotes the table's primary key.
pub(crate) fn is_primary_key(name: &str, table: &str) -> bool {
    name == "PRIMARY" || name == "id" || name == format!("{table}_pkey")
}

/// The attribute column a unique constraint protects: the column itself (SQLite, MariaDB,
/// MySQL's default index names) or PostgreSQL's default `<table>_<column>_key`; otherwise
/// the constraint's own name.
pub(crate) fn unique_column(name: &str, table: &str, columns: &[&str]) -> String {
    columns
        .iter()
        .find(|column| name == **column || name == format!("{table}_{column}_key"))
        .map_or_else(|| name.to_owned(), |column| (*column).to_owned())
}

pub(crate) fn backend(err: sqlx::Error) -> StoreError {
    StoreError::backend(err)
}

/// A decoding error for values the database returned but lucia cannot accept.
pub(crate) fn decode_error(message: impl Into<String>) -> sqlx::Error {
    sqlx::Error::Decode(message.into().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_from_messages() {
        assert_eq!(
            constraint_from_message("UNIQUE constraint failed: users.email").as_deref(),
            Some("email")
        );
        assert_eq!(
            constraint_from_message("UNIQUE constraint failed: users.a, users.b").as_deref(),
            Some("a")
        );
        assert_eq!(
            constraint_from_message("Duplicate entry 'a@b.c' for key 'users.email'").as_deref(),
            Some("email")
        );
        assert_eq!(
            constraint_from_message("Duplicate entry 'x' for key 'PRIMARY'").as_deref(),
            Some("PRIMARY")
        );
        assert_eq!(constraint_from_message("something else"), None);
    }

    #[test]
    fn primary_keys_and_columns() {
        assert!(is_primary_key("users_pkey", "users"));
        assert!(is_primary_key("PRIMARY", "users"));
        assert!(!is_primary_key("users_email_key", "users"));
        assert_eq!(
            unique_column("users_email_key", "users", &["email"]),
            "email"
        );
        assert_eq!(unique_column("email", "users", &["email"]), "email");
        assert_eq!(
            unique_column("custom_idx", "users", &["email"]),
            "custom_idx"
        );
    }
}
