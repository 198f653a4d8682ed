//! The versioned schema: one ordered list of migrations per SQL dialect, and the planning
//! rule both backends' runners share.
//!
//! The SQL lives in `migrations/<dialect>/NNNN_name.sql` beside `src/`, compiled into the
//! binary. Both dialects have the same versions with the same names (a unit test holds
//! that), so `schema_migrations` reads the same whichever database is used.
//!
//! Rules for adding one: append a new version to both lists, never edit or renumber an
//! applied one (a database that recorded a version under another name is refused), and keep
//! each file to statements that run inside one transaction.

use crate::StoreError;

/// One schema change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Version, from 1, strictly increasing along the list.
    pub version: u32,
    /// Short name, recorded in `schema_migrations.name`.
    pub name: &'static str,
    /// Path of the SQL file inside the crate (for messages and the naming test).
    pub file: &'static str,
    /// The SQL, one or more statements.
    pub sql: &'static str,
}

macro_rules! migration {
    ($dialect:literal, $version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            file: concat!("migrations/", $dialect, "/", $file),
            sql: include_str!(concat!("../migrations/", $dialect, "/", $file)),
        }
    };
}

/// SQLite migrations, in order.
pub const SQLITE: &[Migration] = &[
    migration!(
        "sqlite",
        1,
        "users_and_revoked_tokens",
        "0001_users_and_revoked_tokens.sql"
    ),
    migration!("sqlite", 2, "device_tokens", "0002_device_tokens.sql"),
    migration!("sqlite", 3, "media_assets", "0003_media_assets.sql"),
    migration!("sqlite", 4, "chat_messages", "0004_chat_messages.sql"),
    migration!(
        "sqlite",
        5,
        "audit_logs_and_analytics_events",
        "0005_audit_logs_and_analytics_events.sql"
    ),
    migration!("sqlite", 6, "calls", "0006_calls.sql"),
    migration!(
        "sqlite",
        7,
        "notification_sends",
        "0007_notification_sends.sql"
    ),
];

/// PostgreSQL migrations, in order.
pub const POSTGRES: &[Migration] = &[
    migration!(
        "postgres",
        1,
        "users_and_revoked_tokens",
        "0001_users_and_revoked_tokens.sql"
    ),
    migration!("postgres", 2, "device_tokens", "0002_device_tokens.sql"),
    migration!("postgres", 3, "media_assets", "0003_media_assets.sql"),
    migration!("postgres", 4, "chat_messages", "0004_chat_messages.sql"),
    migration!(
        "postgres",
        5,
        "audit_logs_and_analytics_events",
        "0005_audit_logs_and_analytics_events.sql"
    ),
    migration!("postgres", 6, "calls", "0006_calls.sql"),
    migration!(
        "postgres",
        7,
        "notification_sends",
        "0007_notification_sends.sql"
    ),
];

/// The next migration of `known` to apply given the `(version, name)` rows already in
/// `schema_migrations`, or `None` when the schema is current.
///
/// Refuses a database that recorded a version this build does not know (it was migrated by
/// a newer build) or a known version under another name (the lists were edited).
pub(crate) fn next_pending<'a>(
    known: &'a [Migration],
    applied: &[(u32, String)],
) -> Result<Option<&'a Migration>, StoreError> {
    for (version, name) in applied {
        match known.iter().find(|m| m.version == *version) {
            None => {
                return Err(StoreError::Migration {
                    version: *version,
                    name: name.clone(),
                    message: format!(
                        "the database has this migration but this build only knows versions up to {}; \
                         run a newer build",
                        known.last().map_or(0, |m| m.version)
                    ),
                });
            }
            Some(m) if m.name != name => {
                return Err(StoreError::Migration {
                    version: *version,
                    name: name.clone(),
                    message: format!(
                        "recorded under this name, but this build calls it `{}`",
                        m.name
                    ),
                });
            }
            Some(_) => {}
        }
    }
    Ok(known
        .iter()
        .find(|m| !applied.iter().any(|(version, _)| *version == m.version)))
}

/// The error for a migration whose SQL failed.
pub(crate) fn failed(migration: &Migration, err: impl std::fmt::Display) -> StoreError {
    StoreError::Migration {
        version: migration.version,
        name: migration.name.to_string(),
        message: format!("{} failed: {err}", migration.file),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[test]
    fn both_dialects_have_the_same_dense_versions_and_names() {
        assert_eq!(SQLITE.len(), POSTGRES.len());
        for (i, (s, p)) in SQLITE.iter().zip(POSTGRES).enumerate() {
            let expected = u32::try_from(i + 1).unwrap();
            assert_eq!((s.version, s.name), (expected, p.name));
            assert_eq!(p.version, expected);
            for m in [s, p] {
                assert!(
                    m.file
                        .ends_with(&format!("/{:04}_{}.sql", m.version, m.name)),
                    "{m:?}"
                );
                assert!(!m.sql.trim().is_empty());
            }
        }
    }

    #[test]
    fn plan_applies_missing_versions_in_order() {
        let next = next_pending(SQLITE, &[]).unwrap().unwrap();
        assert_eq!(next.version, 1);
        let applied = vec![
            (1, SQLITE[0].name.to_string()),
            (2, SQLITE[1].name.to_string()),
        ];
        assert_eq!(next_pending(SQLITE, &applied).unwrap().unwrap().version, 3);
        let all: Vec<_> = SQLITE
            .iter()
            .map(|m| (m.version, m.name.to_string()))
            .collect();
        assert!(next_pending(SQLITE, &all).unwrap().is_none());
    }

    #[test]
    fn plan_refuses_unknown_versions_and_renamed_migrations() {
        let newer = vec![(99, "from_the_future".to_string())];
        let err = next_pending(SQLITE, &newer).unwrap_err();
        assert!(err.to_string().contains("run a newer build"), "{err}");
        let renamed = vec![(1, "something_else".to_string())];
        let err = next_pending(SQLITE, &renamed).unwrap_err();
        assert!(
            err.to_string().contains("users_and_revoked_tokens"),
            "{err}"
        );
    }
}
