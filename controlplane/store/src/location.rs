//! Turning a `DATABASE_URL` (or its absence) into a [`Location`]: which backend, and where.
//!
//! Accepted forms:
//! - absent: the SQLite file `<data_dir>/armoricore.db`;
//! - `sqlite::memory:` (or `sqlite://:memory:`): a private in-memory SQLite database;
//! - `sqlite:///abs/path.db` or `sqlite://rel/path.db` (or `sqlite:rel/path.db`): a SQLite
//!   file; a relative path is taken inside the data dir, not the working directory, so the
//!   node's state stays in one place whatever directory it is started from;
//! - `postgres://…` or `postgresql://…`: PostgreSQL, in libpq's URL form as tokio-postgres
//!   reads it (`postgres://user:pass@host:5432/db?options=-csearch_path%3Dx`).
//!
//! Error messages name the problem and, for unknown schemes, the scheme, but never repeat
//! the URL itself: it may carry a password.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::StoreError;

/// File name of the embedded database inside the data dir.
pub const SQLITE_FILE_NAME: &str = "armoricore.db";

/// Where the store lives, resolved from a URL.
#[derive(Debug, Clone)]
pub enum Location {
    /// A SQLite database file (created when missing).
    SqliteFile(PathBuf),
    /// A SQLite database in memory, private to one store, gone when it is dropped.
    SqliteMemory,
    /// A PostgreSQL server.
    Postgres(Box<tokio_postgres::Config>),
}

impl Location {
    /// Resolves `url` (the `DATABASE_URL`, `None` when unset) against `data_dir`.
    pub fn parse(url: Option<&str>, data_dir: &Path) -> Result<Location, StoreError> {
        let Some(url) = url else {
            return Ok(Location::SqliteFile(data_dir.join(SQLITE_FILE_NAME)));
        };
        let url = url.trim();
        if url.is_empty() {
            return Err(StoreError::BadUrl(
                "DATABASE_URL is empty; leave it unset to use the embedded SQLite database".into(),
            ));
        }
        let Some((scheme, rest)) = url.split_once(':') else {
            return Err(no_scheme());
        };
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+')
        {
            return Err(no_scheme());
        }
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => parse_sqlite(rest, data_dir),
            "postgres" | "postgresql" => parse_postgres(url),
            other => Err(StoreError::BadUrl(format!(
                "unsupported DATABASE_URL scheme `{other}` (expected sqlite:, postgres: or postgresql:)"
            ))),
        }
    }

    /// A description for logs, without credentials.
    pub fn describe(&self) -> String {
        match self {
            Location::SqliteFile(path) => format!("sqlite file {}", path.display()),
            Location::SqliteMemory => "sqlite in memory".to_string(),
            Location::Postgres(config) => {
                let host = config
                    .get_hosts()
                    .first()
                    .map(|h| match h {
                        tokio_postgres::config::Host::Tcp(name) => name.clone(),
                        tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
                    })
                    .unwrap_or_default();
                let port = config.get_ports().first().copied().unwrap_or(5432);
                let db = config.get_dbname().unwrap_or("");
                format!("postgres {host}:{port}/{db}")
            }
        }
    }
}

fn no_scheme() -> StoreError {
    StoreError::BadUrl(
        "DATABASE_URL has no scheme (expected sqlite:…, postgres://… or postgresql://…)".into(),
    )
}

fn parse_sqlite(rest: &str, data_dir: &Path) -> Result<Location, StoreError> {
    if rest == ":memory:" || rest == "//:memory:" {
        return Ok(Location::SqliteMemory);
    }
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if path.is_empty() {
        return Err(StoreError::BadUrl("sqlite URL names no file".into()));
    }
    if path.contains('?') || path.contains('#') {
        return Err(StoreError::BadUrl(
            "sqlite URL has query parameters or a fragment; only a path is supported".into(),
        ));
    }
    let path = Path::new(path);
    Ok(Location::SqliteFile(if path.is_absolute() {
        path.to_path_buf()
    } else {
        data_dir.join(path)
    }))
}

fn parse_postgres(url: &str) -> Result<Location, StoreError> {
    let config = tokio_postgres::Config::from_str(url).map_err(|e| {
        StoreError::BadUrl(format!(
            "PostgreSQL URL is not valid: {}",
            crate::postgres::error_chain(&e)
        ))
    })?;
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        return Err(StoreError::BadUrl("PostgreSQL URL names no host".into()));
    }
    if config.get_user().is_none() {
        return Err(StoreError::BadUrl("PostgreSQL URL names no user".into()));
    }
    Ok(Location::Postgres(Box::new(config)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    fn parse(url: Option<&str>) -> Result<Location, StoreError> {
        Location::parse(url, Path::new("/data"))
    }

    fn file(url: &str) -> PathBuf {
        match parse(Some(url)) {
            Ok(Location::SqliteFile(path)) => path,
            other => panic!("{url}: {other:?}"),
        }
    }

    fn bad(url: &str) -> String {
        match parse(Some(url)) {
            Err(StoreError::BadUrl(message)) => message,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn absent_url_is_the_file_in_the_data_dir() {
        assert!(
            matches!(parse(None), Ok(Location::SqliteFile(p)) if p == Path::new("/data/armoricore.db"))
        );
    }

    #[test]
    fn sqlite_forms_resolve_relative_paths_in_the_data_dir() {
        assert_eq!(file("sqlite:///var/lib/a.db"), Path::new("/var/lib/a.db"));
        assert_eq!(file("sqlite://a.db"), Path::new("/data/a.db"));
        assert_eq!(file("sqlite:sub/a.db"), Path::new("/data/sub/a.db"));
        assert_eq!(file("SQLITE://a.db"), Path::new("/data/a.db"));
        assert!(matches!(
            parse(Some("sqlite::memory:")),
            Ok(Location::SqliteMemory)
        ));
        assert!(matches!(
            parse(Some("sqlite://:memory:")),
            Ok(Location::SqliteMemory)
        ));
    }

    #[test]
    fn postgres_forms_parse() {
        for url in [
            "postgres://u:p@localhost:5432/db",
            "postgresql://u@127.0.0.1/db?options=-csearch_path%3Dx",
        ] {
            assert!(
                matches!(parse(Some(url)), Ok(Location::Postgres(_))),
                "{url}"
            );
        }
        let described = parse(Some("postgres://u:secret@h:6000/db"))
            .unwrap()
            .describe();
        assert_eq!(described, "postgres h:6000/db");
    }

    #[test]
    fn bad_urls_name_the_problem_without_the_password() {
        assert!(bad("mysql://u:secret@h/db").contains("scheme `mysql`"));
        assert!(!bad("mysql://u:secret@h/db").contains("secret"));
        assert!(bad("").contains("empty"));
        assert!(bad("/just/a/path").contains("no scheme"));
        assert!(bad("sqlite://").contains("no file"));
        assert!(bad("sqlite://a.db?mode=ro").contains("query"));
        assert!(bad("postgres://u:secret@h:notaport/db").contains("not valid"));
        assert!(bad("postgres://u:secret@h:notaport/db").contains("`port`"));
        assert!(!bad("postgres://u:secret@h:notaport/db").contains("secret"));
        assert!(bad("postgres://u@/db").contains("no host"));
        assert!(bad("postgres://h/db").contains("no user"));
    }
}
