//! Recovery codes: single-use codes that replace the second factor when the device is lost.

use std::collections::HashSet;

use crate::error::{Error, Result};
use crate::token::SecretHash;

/// The characters of a recovery code: Crockford's base32 alphabet in lowercase, without
/// `i`, `l`, `o` and `u`, so nothing reads as something else.
pub const RECOVERY_CODE_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Characters in a recovery code: 10 × 5 bits = 50 bits.
pub const RECOVERY_CODE_LEN: usize = 10;

/// The most recovery codes [`generate_recovery_codes`] makes at once.
pub const MAX_RECOVERY_CODES: usize = 100;

/// Generates `n` recovery codes (1 to 100) for a person to write down, such as
/// `k3m9x-7pq2t`: 10 characters (50 bits) from the operating system's CSPRNG, drawn uniformly
/// by rejection sampling, in two groups of five. The codes of one batch are distinct.
///
/// Show them once. Store [`hash_recovery_code`] of each, never the codes; when one is used, find its hash and delete
/// it in one atomic step. Generating a new batch should replace the old one.
///
/// `n` outside 1 to 100 is an [`Error::Config`].
///
/// ```
/// use lucia::otp::{generate_recovery_codes, hash_recovery_code, normalize_recovery_code};
/// let codes = generate_recovery_codes(10)?;
/// assert_eq!(codes.len(), 10);
/// let code = &codes[0];
/// assert_eq!(code.len(), 11);
/// assert_eq!(code.as_bytes()[5], b'-');
/// // What the user types back may differ in case and separators:
/// let typed = code.to_uppercase().replace('-', " ");
/// assert_eq!(normalize_recovery_code(&typed), normalize_recovery_code(code));
/// assert_eq!(hash_recovery_code("user-1", &typed), hash_recovery_code("user-1", code));
/// # Ok::<(), lucia::Error>(())
/// ```
pub fn generate_recovery_codes(n: usize) -> Result<Vec<String>> {
    if !(1..=MAX_RECOVERY_CODES).contains(&n) {
        return Err(Error::Config(format!(
            "generate 1 to {MAX_RECOVERY_CODES} recovery codes at a time, not {n}"
        )));
    }
    let mut random = RandomBytes::new();
    let mut seen = HashSet::with_capacity(n);
    let mut codes = Vec::with_capacity(n);
    while codes.len() < n {
        let mut code = String::with_capacity(RECOVERY_CODE_LEN + 1);
        for i in 0..RECOVERY_CODE_LEN {
            if i == RECOVERY_CODE_LEN / 2 {
                code.push('-');
            }
            let index = sample_index(RECOVERY_CODE_ALPHABET.len(), || random.next())?;
            code.push(char::from(RECOVERY_CODE_ALPHABET[index]));
        }
        if seen.insert(code.clone()) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// The canonical form of a recovery code as typed: the form to hash and compare.
///
/// Spaces, tabs and hyphens are dropped, letters lowercased, and the characters people
/// confuse mapped as Crockford's base32 does (`o` → `0`, `i` and `l` → `1`). The answer is
/// `None` unless exactly 10 characters of the alphabet remain, so junk is refused before any
/// lookup.
///
/// ```
/// use lucia::otp::normalize_recovery_code;
/// assert_eq!(normalize_recovery_code("K3M9X-7PQ2T").as_deref(), Some("k3m9x7pq2t"));
/// assert_eq!(normalize_recovery_code(" k3m9x 7pq2t ").as_deref(), Some("k3m9x7pq2t"));
/// assert_eq!(normalize_recovery_code("Oabcd-efgIL").as_deref(), Some("0abcdefg11"));
/// assert_eq!(normalize_recovery_code("k3m9x-7pq2"), None); // too short
/// assert_eq!(normalize_recovery_code("k3m9x-7pq2u"), None); // no 'u' in the alphabet
/// ```
pub fn normalize_recovery_code(input: &str) -> Option<String> {
    if input.len() > 64 {
        return None;
    }
    let mut code = String::with_capacity(RECOVERY_CODE_LEN);
    for c in input.chars() {
        let c = match c.to_ascii_lowercase() {
            ' ' | '\t' | '-' => continue,
            'o' => '0',
            'i' | 'l' => '1',
            c if c.is_ascii() && RECOVERY_CODE_ALPHABET.contains(&(c as u8)) => c,
            _ => return None,
        };
        code.push(c);
    }
    (code.len() == RECOVERY_CODE_LEN).then_some(code)
}

/// The hash to store for a newly generated recovery code of `user_id`, and to look up when a
/// code is typed in: SHA-256 of the user id (as a salt) and the
/// [normalised](normalize_recovery_code) code. `None` if the input cannot be a recovery code.
///
/// A code has 50 bits, too few to withstand an offline search of a leaked table on its own;
/// salting with the user id (unique, 120 random bits for ids lucia generates) makes every
/// user's codes a separate search (OWASP ASVS 2.6.2 asks for a unique salt of at least
/// 32 bits below 112 bits of entropy).
///
/// ```
/// use lucia::otp::hash_recovery_code;
/// let ada = hash_recovery_code("user-ada", "k3m9x-7pq2t").expect("a recovery code");
/// assert_eq!(hash_recovery_code("user-ada", "K3M9X 7PQ2T"), Some(ada.clone()));
/// assert_ne!(hash_recovery_code("user-bob", "k3m9x-7pq2t"), Some(ada));
/// assert_eq!(hash_recovery_code("user-ada", "nope"), None);
/// ```
pub fn hash_recovery_code(user_id: &str, input: &str) -> Option<SecretHash> {
    normalize_recovery_code(input)
        .map(|code| SecretHash::of(&format!("{}:{user_id}:{code}", user_id.len())))
}

/// The unsalted hash earlier versions stored (`SecretHash::of` the normalised code); still
/// accepted by [`Lucia::use_recovery_code`](crate::Lucia::use_recovery_code) so codes issued
/// before the change keep working until they are used or regenerated.
pub(crate) fn legacy_hash_recovery_code(input: &str) -> Option<SecretHash> {
    normalize_recovery_code(input).map(|code| SecretHash::of(&code))
}

/// Random bytes from the OS CSPRNG, fetched 64 at a time.
struct RandomBytes {
    buf: [u8; 64],
    used: usize,
}

impl RandomBytes {
    fn new() -> Self {
        Self {
            buf: [0; 64],
            used: 64,
        }
    }

    fn next(&mut self) -> Result<u8> {
        if self.used == self.buf.len() {
            getrandom::fill(&mut self.buf).map_err(Error::Random)?;
            self.used = 0;
        }
        let byte = self.buf[self.used];
        self.used += 1;
        Ok(byte)
    }
}

/// A uniform index below `n` (1 to 256) from random bytes, by rejection sampling: bytes at or
/// above the largest multiple of `n` are drawn again, so there is no modulo bias.
fn sample_index(n: usize, mut next_byte: impl FnMut() -> Result<u8>) -> Result<usize> {
    debug_assert!((1..=256).contains(&n));
    let limit = 256 - 256 % n;
    loop {
        let byte = usize::from(next_byte()?);
        if byte < limit {
            return Ok(byte % n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn codes_are_well_formed_and_distinct() {
        let codes = generate_recovery_codes(MAX_RECOVERY_CODES).unwrap();
        assert_eq!(codes.len(), MAX_RECOVERY_CODES);
        let distinct: HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
        for code in &codes {
            let (a, b) = code.split_once('-').unwrap();
            assert_eq!((a.len(), b.len()), (5, 5), "{code}");
            assert!(
                a.bytes()
                    .chain(b.bytes())
                    .all(|c| RECOVERY_CODE_ALPHABET.contains(&c)),
                "{code}"
            );
            let normal = normalize_recovery_code(code).unwrap();
            assert_eq!(normal, format!("{a}{b}"));
            assert_eq!(
                legacy_hash_recovery_code(code),
                Some(SecretHash::of(&normal))
            );
            let salted = format!("6:user-1:{normal}");
            assert_eq!(
                hash_recovery_code("user-1", code),
                Some(SecretHash::of(&salted))
            );
            assert_ne!(
                hash_recovery_code("user-1", code),
                hash_recovery_code("user-2", code),
                "salted per user"
            );
        }
        assert!(matches!(generate_recovery_codes(0), Err(Error::Config(_))));
        assert!(generate_recovery_codes(MAX_RECOVERY_CODES + 1).is_err());
        assert_eq!(generate_recovery_codes(1).unwrap().len(), 1);
    }

    #[test]
    fn at_least_40_bits_each() {
        let bits = RECOVERY_CODE_LEN as f64 * (RECOVERY_CODE_ALPHABET.len() as f64).log2();
        assert!(bits >= 40.0, "{bits}");
        let unique: HashSet<u8> = RECOVERY_CODE_ALPHABET.iter().copied().collect();
        assert_eq!(unique.len(), RECOVERY_CODE_ALPHABET.len());
        for confusable in *b"ilou" {
            assert!(!RECOVERY_CODE_ALPHABET.contains(&confusable));
        }
    }

    #[test]
    fn normalisation_variants() {
        let code = "k3m9x-7pq2t";
        for typed in [
            "k3m9x-7pq2t",
            "K3M9X-7PQ2T",
            "k3m9x7pq2t",
            "k3m9x 7pq2t",
            " k3m9x\t7pq2t ",
            "k3-m9-x7-pq-2t",
            "K3m9X--7pQ2t",
        ] {
            assert_eq!(
                normalize_recovery_code(typed).as_deref(),
                Some("k3m9x7pq2t"),
                "{typed:?}"
            );
            assert_eq!(
                hash_recovery_code("u", typed),
                hash_recovery_code("u", code)
            );
        }
        assert_eq!(
            normalize_recovery_code("oOiIlL-0000").as_deref(),
            Some("0011110000")
        );
        for bad in [
            "",
            "k3m9x",
            "k3m9x-7pq2tt",
            "k3m9x-7pq2u",
            "k3m9x_7pq2t",
            "k3m9x.7pq2t",
            "k3m9x\n7pq2t",
            "ｋ3m9x-7pq2t",
            "k3m9x-7pq2\u{0}",
            "k3m9x-7pq2é",
        ] {
            assert_eq!(normalize_recovery_code(bad), None, "{bad:?}");
        }
        assert_eq!(
            normalize_recovery_code(&format!("{}k3m9x7pq2t", " ".repeat(60))),
            None
        );
    }

    #[test]
    fn rejection_sampling_has_no_modulo_bias() {
        // Over every byte value once, each index below n comes out equally often, for any n.
        for n in [1, 2, 3, 10, 31, 32, 33, 100, 255, 256] {
            let mut counts = vec![0u32; n];
            let mut bytes = 0u8..=255;
            while let Ok(index) = sample_index(n, || bytes.next().ok_or(Error::Offload)) {
                counts[index] += 1;
            }
            let expected = u32::try_from(256 / n).unwrap();
            assert!(counts.iter().all(|&c| c == expected), "n={n}: {counts:?}");
        }
        // A byte above the limit is drawn again, not folded: with n = 10, 250..=255 are
        // rejected and the next byte decides.
        let mut bytes = [255u8, 250, 7].into_iter();
        assert_eq!(sample_index(10, || Ok(bytes.next().unwrap())).unwrap(), 7);
    }

    #[test]
    fn generated_characters_are_roughly_uniform() {
        let mut counts = [0u32; 32];
        let mut total = 0u32;
        for _ in 0..25 {
            for code in generate_recovery_codes(MAX_RECOVERY_CODES).unwrap() {
                for c in code.bytes().filter(|&c| c != b'-') {
                    let index = RECOVERY_CODE_ALPHABET.iter().position(|&a| a == c).unwrap();
                    counts[index] += 1;
                    total += 1;
                }
            }
        }
        assert_eq!(total, 25_000);
        // 25,000 draws over 32 characters: 781.25 expected each, standard deviation ≈ 27.5.
        // Chi-square with 31 degrees of freedom: above 70 happens with probability < 1e-4.
        let expected = f64::from(total) / 32.0;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (f64::from(c) - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 70.0, "chi-square {chi2}: {counts:?}");
        assert!(
            counts.iter().all(|&c| (600..=960).contains(&c)),
            "{counts:?}"
        );
    }
}
