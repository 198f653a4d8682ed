//! Secrets: a redacting wrapper, and the secrets the embedded node keeps in its data dir.
//!
//! Without `JWT_SECRET` or `ARMORICORE_API_KEY`, the node creates a random value once in
//! `<data dir>/secrets/` (mode 0600) and reuses it, so `armoricore token` and
//! `armoricore publish` agree with the running node without any set-up.

use std::fmt;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rand::RngCore;

/// A secret value whose `Debug` and `Display` never print it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Which data-dir secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataDirSecret {
    /// HS256 signing secret (`secrets/jwt_secret`).
    JwtSecret,
    /// API key of `POST /api/v1/events` (`secrets/api_key`).
    ApiKey,
}

impl DataDirSecret {
    fn file_name(self) -> &'static str {
        match self {
            DataDirSecret::JwtSecret => "jwt_secret",
            DataDirSecret::ApiKey => "api_key",
        }
    }

    /// Where this secret lives under `data_dir`.
    pub fn path(self, data_dir: &Path) -> PathBuf {
        data_dir.join("secrets").join(self.file_name())
    }
}

/// Reads the secret from the data dir, creating it (48 random bytes, hex) if absent.
///
/// Creation uses `create_new`, so two processes starting at once agree: the loser of the
/// race reads what the winner wrote.
pub fn load_or_create(data_dir: &Path, which: DataDirSecret) -> std::io::Result<Secret> {
    let path = which.path(data_dir);
    if let Some(existing) = read_existing(&path)? {
        return Ok(existing);
    }
    let dir = data_dir.join("secrets");
    std::fs::create_dir_all(&dir)?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let value: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
    {
        Ok(mut file) => {
            file.write_all(value.as_bytes())?;
            file.sync_all()?;
            Ok(Secret(value))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_existing(&path)?
            .ok_or_else(|| std::io::Error::other(format!("{} is empty", path.display()))),
        Err(e) => Err(e),
    }
}

/// Reads the secret if the data dir has it.
pub fn read_existing(path: &Path) -> std::io::Result<Option<Secret>> {
    match std::fs::read_to_string(path) {
        Ok(s) if !s.trim().is_empty() => Ok(Some(Secret(s.trim().to_string()))),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path(), DataDirSecret::JwtSecret).unwrap();
        let b = load_or_create(dir.path(), DataDirSecret::JwtSecret).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.expose().len(), 96);
        let c = load_or_create(dir.path(), DataDirSecret::ApiKey).unwrap();
        assert_ne!(a, c);
        let mode = std::fs::metadata(DataDirSecret::JwtSecret.path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn debug_output_redacts() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2")),
            "Secret(<redacted>)"
        );
    }
}
