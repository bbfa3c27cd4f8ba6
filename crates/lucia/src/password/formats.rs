//! Parsing and checking of every stored-hash format that lucia verifies.
//!
//! See the module docs of [`crate::password`] for the formats, the limits and the normalisation
//! rules. Everything here is private: [`Argon2id`](super::Argon2id) is the public face.

use std::borrow::Cow;

use argon2::{Algorithm, Argon2, Version};
use password_hash::{Output, PasswordHash};
use subtle::ConstantTimeEq;
use unicode_normalization::UnicodeNormalization;

use super::{Argon2Params, Argon2id, MAX_PASSWORD_BYTES, PasswordVerification};
use crate::error::{Error, Result};

/// Argon2: at most 1 GiB of memory (in KiB).
const MAX_ARGON2_MEMORY_KIB: u64 = 1 << 20;
/// Argon2: at most 4 GiB of memory traffic, memory × passes (in KiB).
const MAX_ARGON2_TRAFFIC_KIB: u64 = 4 << 20;
/// Argon2: at most 64 lanes.
const MAX_ARGON2_LANES: u32 = 64;
/// scrypt: at most 1 GiB of memory (128 · r · N bytes).
const MAX_SCRYPT_MEMORY: u128 = 1 << 30;
/// scrypt: at most 4 GiB of work (128 · r · N · p bytes).
const MAX_SCRYPT_WORK: u128 = 4 << 30;
/// bcrypt: at most cost 16 (2^16 rounds of the key schedule).
const MAX_BCRYPT_COST: u32 = 16;
/// bcrypt reads at most 72 bytes of the password.
const BCRYPT_MAX_PASSWORD_BYTES: usize = 72;
/// Lucia's scrypt salts are 16 or 32 characters; anything much longer is garbage.
const MAX_LUCIA_SALT_BYTES: usize = 1024;
/// Lucia's scrypt keys are 64 bytes.
const LUCIA_KEY_LEN: usize = 64;
/// Lucia's scrypt cost: N = 2^14.
const LUCIA_LOG_N: u8 = 14;

/// Whether lucia verifies (and so may create) Argon2 hashes with these costs.
pub(super) fn argon2_cost_allowed(memory_kib: u32, iterations: u32, parallelism: u32) -> bool {
    let memory = u64::from(memory_kib);
    memory <= MAX_ARGON2_MEMORY_KIB
        && memory * u64::from(iterations) <= MAX_ARGON2_TRAFFIC_KIB
        && parallelism <= MAX_ARGON2_LANES
}

/// The NFKC form of `s`, borrowed when `s` already is in NFKC.
pub(super) fn nfkc(s: &str) -> Cow<'_, str> {
    if unicode_normalization::is_nfkc(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfkc().collect())
    }
}

/// Checks `password` against `hash`; see the module docs of [`crate::password`].
pub(super) fn verify(
    hash: &str,
    password: &str,
    own: &Argon2Params,
) -> Result<PasswordVerification> {
    let scheme = Scheme::parse(hash)?;
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(PasswordVerification::Invalid);
    }
    let normalized = nfkc(password);
    if scheme.matches(normalized.as_bytes())? {
        return Ok(PasswordVerification::Valid {
            needs_rehash: !scheme.is_current(own),
        });
    }
    if scheme.may_be_unnormalized()
        && normalized != password
        && scheme.matches(password.as_bytes())?
    {
        // The stored hash is of the un-normalised password: replace it by a normalised one.
        return Ok(PasswordVerification::Valid { needs_rehash: true });
    }
    Ok(PasswordVerification::Invalid)
}

/// A parsed stored hash, ready to be checked.
#[derive(Debug)]
enum Scheme<'a> {
    /// PHC Argon2 (`$argon2id$`, `$argon2i$`, `$argon2d$`).
    Argon2 {
        algorithm: Algorithm,
        version: Version,
        params: argon2::Params,
        salt: Vec<u8>,
        expected: Output,
    },
    /// PHC scrypt (`$scrypt$ln=..,r=..,p=..$salt$key`).
    Scrypt {
        params: scrypt::Params,
        salt: Vec<u8>,
        expected: Output,
    },
    /// bcrypt `$2a$`, `$2b$`, `$2y$`, already checked for shape and cost.
    Bcrypt(&'a str),
    /// Lucia's hex scrypt formats (`s2:salt:key`, `salt:key`).
    Lucia {
        salt: &'a str,
        key: [u8; LUCIA_KEY_LEN],
        r: u32,
        /// Whether Lucia hashed the password as typed (0.1–0.2) rather than its NFKC form.
        unnormalized: bool,
    },
}

fn unsupported<E>(_: E) -> Error {
    Error::UnsupportedHash
}

impl<'a> Scheme<'a> {
    fn parse(hash: &'a str) -> Result<Self> {
        if hash.starts_with("$2") {
            Self::parse_bcrypt(hash)
        } else if hash.starts_with('$') {
            Self::parse_phc(hash)
        } else {
            Self::parse_lucia(hash)
        }
    }

    fn parse_bcrypt(hash: &'a str) -> Result<Self> {
        // `$2b$04$` + 22 characters of salt + 31 of hash, all in bcrypt's base64 alphabet.
        let bytes = hash.as_bytes();
        let shape_ok = bytes.len() == 60
            && matches!(&bytes[..4], b"$2a$" | b"$2b$" | b"$2y$")
            && bytes[4].is_ascii_digit()
            && bytes[5].is_ascii_digit()
            && bytes[6] == b'$'
            && bytes[7..]
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
        if !shape_ok {
            return Err(Error::UnsupportedHash);
        }
        let cost = u32::from(bytes[4] - b'0') * 10 + u32::from(bytes[5] - b'0');
        if !(4..=MAX_BCRYPT_COST).contains(&cost) {
            return Err(Error::UnsupportedHash);
        }
        Ok(Self::Bcrypt(hash))
    }

    fn parse_phc(hash: &'a str) -> Result<Self> {
        let phc = PasswordHash::new(hash).map_err(unsupported)?;
        // The PHC format forbids repeated parameters; the parser lets them through.
        let names: Vec<&str> = phc.params.iter().map(|(name, _)| name.as_str()).collect();
        if names
            .iter()
            .enumerate()
            .any(|(i, name)| names[..i].contains(name))
        {
            return Err(Error::UnsupportedHash);
        }
        let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
            return Err(Error::UnsupportedHash);
        };
        let mut salt_buf = [0u8; 64];
        let salt = salt
            .decode_b64(&mut salt_buf)
            .map_err(unsupported)?
            .to_vec();
        match phc.algorithm.as_str() {
            "argon2id" | "argon2i" | "argon2d" => {
                let algorithm = Algorithm::try_from(phc.algorithm).map_err(unsupported)?;
                // As in the reference implementation, no `v=` means version 0x10.
                let version =
                    Version::try_from(phc.version.unwrap_or(0x10)).map_err(unsupported)?;
                let params = argon2::Params::try_from(&phc).map_err(unsupported)?;
                // A key id names a secret key (pepper) that lucia does not have.
                if !params.keyid().is_empty()
                    || !argon2_cost_allowed(params.m_cost(), params.t_cost(), params.p_cost())
                    || salt.len() < argon2::MIN_SALT_LEN
                {
                    return Err(Error::UnsupportedHash);
                }
                Ok(Self::Argon2 {
                    algorithm,
                    version,
                    params,
                    salt,
                    expected,
                })
            }
            "scrypt" => {
                let params = scrypt::Params::try_from(&phc).map_err(unsupported)?;
                let memory = 128 * u128::from(params.r()) * (1u128 << u32::from(params.log_n()));
                if memory > MAX_SCRYPT_MEMORY || memory * u128::from(params.p()) > MAX_SCRYPT_WORK {
                    return Err(Error::UnsupportedHash);
                }
                Ok(Self::Scrypt {
                    params,
                    salt,
                    expected,
                })
            }
            _ => Err(Error::UnsupportedHash),
        }
    }

    fn parse_lucia(hash: &'a str) -> Result<Self> {
        let parts: Vec<&str> = hash.splitn(4, ':').collect();
        let (salt, key, r, unnormalized) = match parts.as_slice() {
            ["s2", salt, key] => (*salt, *key, 16, false),
            // Lucia v3's `Scrypt`: 16 random bytes, hex-encoded, as the salt string.
            [salt, key] if is_lowercase_hex(salt, 32) => (*salt, *key, 16, false),
            // Lucia 0.1-0.2: Node's `crypto.scrypt(password, salt, 64)`.
            [salt, key] => (*salt, *key, 8, true),
            _ => return Err(Error::UnsupportedHash),
        };
        if salt.is_empty() || salt.len() > MAX_LUCIA_SALT_BYTES {
            return Err(Error::UnsupportedHash);
        }
        let key = decode_hex_key(key)?;
        Ok(Self::Lucia {
            salt,
            key,
            r,
            unnormalized,
        })
    }

    /// Whether the hash may have been computed from a password that was not NFKC-normalised,
    /// so that the password as typed is worth checking after its NFKC form.
    fn may_be_unnormalized(&self) -> bool {
        match self {
            Self::Lucia { unnormalized, .. } => *unnormalized,
            Self::Argon2 { .. } | Self::Scrypt { .. } | Self::Bcrypt(_) => true,
        }
    }

    /// Whether a matching hash is exactly what `Argon2id` with `own` would write today.
    fn is_current(&self, own: &Argon2Params) -> bool {
        match self {
            Self::Argon2 {
                algorithm,
                version,
                params,
                salt,
                expected,
            } => {
                *algorithm == Algorithm::Argon2id
                    && *version == Version::V0x13
                    && params.m_cost() == own.memory_kib
                    && params.t_cost() == own.iterations
                    && params.p_cost() == own.parallelism
                    && params.data().is_empty()
                    && expected.len() == Argon2id::OUTPUT_LEN
                    && salt.len() >= Argon2id::SALT_LEN
            }
            Self::Scrypt { .. } | Self::Bcrypt(_) | Self::Lucia { .. } => false,
        }
    }

    /// Hashes `password` the way the stored hash was made and compares in constant time.
    fn matches(&self, password: &[u8]) -> Result<bool> {
        match self {
            Self::Argon2 {
                algorithm,
                version,
                params,
                salt,
                expected,
            } => {
                let mut out = vec![0u8; expected.len()];
                Argon2::new(*algorithm, *version, params.clone())
                    .hash_password_into(password, salt, &mut out)
                    .map_err(unsupported)?;
                Ok(out.ct_eq(expected.as_bytes()).into())
            }
            Self::Scrypt {
                params,
                salt,
                expected,
            } => {
                let mut out = vec![0u8; expected.len()];
                scrypt::scrypt(password, salt, params, &mut out).map_err(unsupported)?;
                Ok(out.ct_eq(expected.as_bytes()).into())
            }
            Self::Bcrypt(hash) => {
                if password.len() > BCRYPT_MAX_PASSWORD_BYTES {
                    // bcrypt would ignore the bytes past 72: never let them "match".
                    return Ok(false);
                }
                // Compares in constant time (with `subtle`) internally.
                bcrypt::verify(password, hash).map_err(unsupported)
            }
            Self::Lucia { salt, key, r, .. } => {
                let params = scrypt::Params::new(LUCIA_LOG_N, *r, 1, LUCIA_KEY_LEN)
                    .map_err(|err| Error::Hashing(err.to_string()))?;
                let mut out = [0u8; LUCIA_KEY_LEN];
                scrypt::scrypt(password, salt.as_bytes(), &params, &mut out)
                    .map_err(|err| Error::Hashing(err.to_string()))?;
                Ok(out.ct_eq(key).into())
            }
        }
    }
}

fn is_lowercase_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Decodes a 64-byte key written as 128 hex digits (either case).
fn decode_hex_key(hex: &str) -> Result<[u8; LUCIA_KEY_LEN]> {
    if hex.len() != 2 * LUCIA_KEY_LEN {
        return Err(Error::UnsupportedHash);
    }
    let mut key = [0u8; LUCIA_KEY_LEN];
    data_encoding::HEXLOWER_PERMISSIVE
        .decode_mut(hex.as_bytes(), &mut key)
        .map_err(|_| Error::UnsupportedHash)?;
    Ok(key)
}
