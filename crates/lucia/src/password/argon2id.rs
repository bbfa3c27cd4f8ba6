//! The Argon2id hasher.

use argon2::{Algorithm, Argon2, Params, Version};
use password_hash::{PasswordHasher as _, SaltString};

use super::formats;
use super::{MAX_PASSWORD_BYTES, PasswordHasher, PasswordPolicyError, PasswordVerification};
use crate::error::{Error, Result};

/// Argon2 cost parameters.
///
/// The default is [`Argon2Params::OWASP`]. The tag is always 32 bytes and the salt 16 bytes.
///
/// ```
/// use lucia::password::Argon2Params;
///
/// assert_eq!(Argon2Params::default(), Argon2Params::OWASP);
/// // RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes.
/// let stronger = Argon2Params { memory_kib: 64 * 1024, iterations: 3, parallelism: 4 };
/// # let _ = stronger;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Argon2Params {
    /// Memory size in KiB (`m`). At least `8 * parallelism`, at most 1 GiB (1 048 576).
    pub memory_kib: u32,
    /// Number of passes over the memory (`t`). At least 1; `memory_kib * iterations` at most
    /// 4 GiB.
    pub iterations: u32,
    /// Degree of parallelism, the number of lanes (`p`): from 1 to 64. lucia computes the lanes
    /// on one thread; the value only changes the result.
    pub parallelism: u32,
}

impl Argon2Params {
    /// OWASP's recommendation for Argon2id (Password Storage Cheat Sheet): 19 MiB of memory
    /// (`m=19456`), 2 passes (`t=2`), 1 lane (`p=1`).
    ///
    /// ```
    /// use lucia::password::Argon2Params;
    /// let p = Argon2Params::OWASP;
    /// assert_eq!((p.memory_kib, p.iterations, p.parallelism), (19456, 2, 1));
    /// ```
    pub const OWASP: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// The cheapest parameters Argon2 allows: 8 KiB, 1 pass, 1 lane. **Insecure**: for tests
    /// only (see [`Argon2id::insecure_for_tests`]).
    const INSECURE_TEST: Self = Self {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };

    /// The `argon2` crate's parameters, with lucia's tag length.
    fn to_argon2(self) -> Result<Params> {
        Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(Argon2id::OUTPUT_LEN),
        )
        .map_err(|err| Error::Config(format!("invalid Argon2 parameters: {err}")))
    }
}

impl Default for Argon2Params {
    /// [`Argon2Params::OWASP`].
    ///
    /// ```
    /// use lucia::password::Argon2Params;
    /// assert_eq!(Argon2Params::default(), Argon2Params::OWASP);
    /// ```
    fn default() -> Self {
        Self::OWASP
    }
}

/// Argon2id (version 0x13) password hasher; verifies older and imported formats too.
///
/// [`Argon2id::default()`] uses [`Argon2Params::OWASP`]. Hashes are PHC strings with a 16-byte
/// salt from the OS CSPRNG and a 32-byte tag, computed from the NFKC form of the password. See
/// the [module docs](super) for normalisation, the formats [`verify`](PasswordHasher::verify)
/// accepts, when it reports `needs_rehash`, and the limits against denial of service.
///
/// ```
/// use lucia::password::{Argon2Params, Argon2id, PasswordHasher, PasswordVerification};
///
/// // Production: `Argon2id::default()`, or your own parameters:
/// let production = Argon2id::new(Argon2Params { memory_kib: 47104, iterations: 1, parallelism: 1 })?;
/// assert_eq!(production.params().memory_kib, 47104);
///
/// // Cheap parameters to keep this example fast.
/// let hasher = Argon2id::insecure_for_tests();
/// let hash = hasher.hash("ﬁle Ｐａｓｓｗｏｒｄ")?;
/// // The same password, typed without the ligature and the full-width letters.
/// assert!(hasher.verify(&hash, "file Password")?.is_valid());
///
/// // A hash with other parameters still verifies, and asks to be replaced.
/// assert_eq!(
///     production.verify(&hash, "file Password")?,
///     PasswordVerification::Valid { needs_rehash: true }
/// );
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Argon2id {
    params: Argon2Params,
}

impl Argon2id {
    /// Length of the random salt, in bytes.
    ///
    /// ```
    /// assert_eq!(lucia::password::Argon2id::SALT_LEN, 16);
    /// ```
    pub const SALT_LEN: usize = 16;

    /// Length of the Argon2 tag (the hash output), in bytes.
    ///
    /// ```
    /// assert_eq!(lucia::password::Argon2id::OUTPUT_LEN, 32);
    /// ```
    pub const OUTPUT_LEN: usize = 32;

    /// A hasher with the given parameters.
    ///
    /// Fails with [`Error::Config`] if Argon2 refuses the parameters (memory below
    /// `8 * parallelism` KiB, zero passes or lanes, ...) or if they exceed the limits lucia puts
    /// on stored hashes (1 GiB of memory, 4 GiB of memory × passes, 64 lanes), since it could
    /// not verify its own hashes then.
    ///
    /// ```
    /// use lucia::password::{Argon2Params, Argon2id};
    ///
    /// let hasher = Argon2id::new(Argon2Params { iterations: 3, ..Argon2Params::OWASP })?;
    /// assert_eq!(hasher.params().iterations, 3);
    ///
    /// let zero_passes = Argon2Params { iterations: 0, ..Argon2Params::OWASP };
    /// assert!(matches!(Argon2id::new(zero_passes), Err(lucia::Error::Config(_))));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn new(params: Argon2Params) -> Result<Self> {
        params.to_argon2()?;
        if !formats::argon2_cost_allowed(params.memory_kib, params.iterations, params.parallelism) {
            return Err(Error::Config(format!(
                "Argon2 parameters {params:?} exceed lucia's limits (1 GiB of memory, \
                 4 GiB of memory x passes, 64 lanes)"
            )));
        }
        Ok(Self { params })
    }

    /// A hasher with the cheapest parameters Argon2 allows (8 KiB, 1 pass, 1 lane).
    ///
    /// **Insecure: for tests and examples only.** Its hashes can be brute-forced quickly. A
    /// production hasher verifies them, and reports `needs_rehash: true`.
    ///
    /// ```
    /// use lucia::password::{Argon2id, PasswordHasher};
    ///
    /// let hasher = Argon2id::insecure_for_tests();
    /// assert!(hasher.hash("hunter22")?.starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn insecure_for_tests() -> Self {
        Self {
            params: Argon2Params::INSECURE_TEST,
        }
    }

    /// The parameters this hasher hashes with.
    ///
    /// ```
    /// use lucia::password::{Argon2Params, Argon2id};
    /// assert_eq!(Argon2id::default().params(), Argon2Params::OWASP);
    /// ```
    pub fn params(&self) -> Argon2Params {
        self.params
    }
}

impl PasswordHasher for Argon2id {
    /// Hashes the NFKC form of `password` with a fresh 16-byte salt.
    ///
    /// Fails with [`Error::PasswordPolicy`] if the password is longer than
    /// [`MAX_PASSWORD_BYTES`], with [`Error::Random`] if the OS random number generator fails.
    ///
    /// ```
    /// use lucia::password::{Argon2id, PasswordHasher};
    ///
    /// let hasher = Argon2id::insecure_for_tests(); // cheap, for this example only
    /// let a = hasher.hash("hunter22")?;
    /// let b = hasher.hash("hunter22")?;
    /// assert_ne!(a, b); // a new salt each time
    /// # Ok::<(), lucia::Error>(())
    /// ```
    fn hash(&self, password: &str) -> Result<String> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(Error::PasswordPolicy(PasswordPolicyError::TooLong {
                max: MAX_PASSWORD_BYTES,
            }));
        }
        let normalized = formats::nfkc(password);
        let mut salt = [0u8; Self::SALT_LEN];
        getrandom::fill(&mut salt).map_err(Error::Random)?;
        let salt = SaltString::encode_b64(&salt).map_err(|err| Error::Hashing(err.to_string()))?;
        let argon2 = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            self.params.to_argon2()?,
        );
        let hash = argon2
            .hash_password(normalized.as_bytes(), &salt)
            .map_err(|err| Error::Hashing(err.to_string()))?;
        Ok(hash.to_string())
    }

    /// Checks `password` against a hash in any of the formats listed in the
    /// [module docs](super).
    ///
    /// ```
    /// use lucia::password::{Argon2id, PasswordHasher, PasswordVerification};
    ///
    /// let hasher = Argon2id::default();
    /// // A Lucia v1/v2 hash of "correct horse battery staple".
    /// let legacy = "s2:hb8f0gqn2fzm3x1a:ccc31ee8962c4ff58d9b0e8424c04045ed7c4650f161c83f5992421\
    ///               92084a0a3f66e881bef609cfc566093fb30e5dfd737daf8944977833e4d1ff21200f29778";
    /// assert_eq!(
    ///     hasher.verify(legacy, "correct horse battery staple")?,
    ///     PasswordVerification::Valid { needs_rehash: true }
    /// );
    /// assert!(matches!(hasher.verify("plain:hunter2", "hunter2"), Err(lucia::Error::UnsupportedHash)));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    fn verify(&self, hash: &str, password: &str) -> Result<PasswordVerification> {
        formats::verify(hash, password, &self.params)
    }
}
