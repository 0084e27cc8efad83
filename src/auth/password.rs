//! Argon2id password hashing with configured costs. Hashing is slow on purpose: callers
//! run it off the async executor.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::config::AccountsConfig;

/// OWASP's minimum for Argon2id (2024 cheat sheet): 19 MiB, 2 passes, 1 lane.
const OWASP_MEMORY_KIB: u32 = 19 * 1024;
const OWASP_ITERATIONS: u32 = 2;

#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    /// A hash of a random password, verified against when the email is unknown so that
    /// "no such account" and "wrong password" take the same time.
    dummy_hash: Arc<String>,
}

impl PasswordHasher {
    pub fn new(config: &AccountsConfig) -> Result<Self, argon2::Error> {
        let params = Params::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.argon2_parallelism,
            None,
        )?;
        if config.argon2_memory_kib < OWASP_MEMORY_KIB
            || config.argon2_iterations < OWASP_ITERATIONS
        {
            tracing::warn!("argon2 costs are below OWASP's minimum (19456 KiB, 2 iterations)");
        }
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut hasher = Self {
            argon2,
            dummy_hash: Arc::new(String::new()),
        };
        let random = SaltString::generate(&mut OsRng);
        hasher.dummy_hash = Arc::new(hasher.hash(random.as_str())?);
        Ok(hasher)
    }

    /// A PHC string (`$argon2id$v=19$m=…`) with a fresh random salt.
    pub fn hash(&self, password: &str) -> Result<String, argon2::Error> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| argon2::Error::OutputTooShort)
    }

    /// Whether `stored` was made with other costs (or another algorithm) than configured.
    pub fn needs_rehash(&self, stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return true;
        };
        let configured = self.argon2.params();
        let param = |name: &str| parsed.params.get_decimal(name);
        parsed.algorithm.as_str() != "argon2id"
            || param("m") != Some(configured.m_cost())
            || param("t") != Some(configured.t_cost())
            || param("p") != Some(configured.p_cost())
    }

    /// Checks `password` against `stored`; with no stored hash, does the same work
    /// against a dummy and answers false.
    pub fn verify(&self, stored: Option<&str>, password: &str) -> bool {
        let target = stored.unwrap_or(&self.dummy_hash);
        let Ok(parsed) = PasswordHash::new(target) else {
            return false;
        };
        let matches = self
            .argon2
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        matches && stored.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(&Config::defaults().accounts).unwrap()
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hasher();
        let stored = h.hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h.verify(Some(&stored), "correct horse battery"));
        assert!(!h.verify(Some(&stored), "correct horse batterx"));
    }

    #[test]
    fn hashes_made_with_other_costs_need_a_rehash() {
        let h = hasher();
        let stored = h.hash("correct horse battery").unwrap();
        assert!(!h.needs_rehash(&stored));
        let mut stronger = Config::defaults().accounts;
        stronger.argon2_iterations = 3;
        assert!(
            PasswordHasher::new(&stronger)
                .unwrap()
                .needs_rehash(&stored)
        );
        assert!(h.needs_rehash("not a hash"));
    }

    #[test]
    fn an_unknown_account_never_verifies() {
        assert!(!hasher().verify(None, "anything at all"));
    }

    #[test]
    fn equal_passwords_get_different_salts() {
        let h = hasher();
        assert_ne!(
            h.hash("same password!").unwrap(),
            h.hash("same password!").unwrap()
        );
    }
}
