#!/usr/bin/env python3
"""Generates the password-hash test vectors embedded in `src/password/tests.rs`.

The vectors come from implementations independent of the Rust crates that lucia uses:

* argon2-cffi (25.1.0, bindings 26.2.0: the reference C implementation of Argon2),
* bcrypt (5.0.0, pyca),
* passlib (1.7.4) for one PHC scrypt string,
* CPython's `hashlib.scrypt` (OpenSSL) for everything else scrypt,
* `unicodedata.normalize("NFKC", ...)` for the normalisation.

Every salt is fixed, so running the script again prints exactly the same vectors:

    pip install argon2-cffi bcrypt passlib
    python3 crates/lucia/tests/vectors/password_vectors.py

It prints Rust source for the `VECTORS` table (name, hash, passwords that must verify, passwords
that must not, the expected `needs_rehash`).
"""

import base64
import hashlib
import unicodedata

from argon2.low_level import Type, hash_secret
import bcrypt
from passlib.hash import scrypt as passlib_scrypt


def nfkc(s):
    return unicodedata.normalize("NFKC", s)


def b64(data):
    """PHC's B64: standard alphabet, no padding."""
    return base64.b64encode(data).decode().rstrip("=")


STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
BCRYPT = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def bcrypt_salt(prefix, cost, raw16):
    enc = b64(raw16).translate(str.maketrans(STD, BCRYPT))
    return f"${prefix}${cost:02d}${enc}".encode()


def lucia_scrypt(password, salt, r):
    # Lucia v1/v2: scrypt(N=16384, r, p=1, dkLen=64), salt = the salt string's UTF-8 bytes.
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=16384, r=r, p=1,
                         dklen=64, maxmem=128 * 1024 * 1024)
    return key.hex()


def argon2_phc(password, salt, t, m, p, hash_len, typ, version=19):
    return hash_secret(password.encode(), salt, time_cost=t, memory_cost=m, parallelism=p,
                       hash_len=hash_len, type=typ, version=version).decode()


ASCII = "correct horse battery staple"
# 'ﬁ' ligature, full-width "Ｐａｓｓ", and "café" with a combining acute accent (NFD):
# NFKC turns it into "fi Pass café" (precomposed é).
UNI = "\ufb01 \uff30\uff41\uff53\uff53 cafe\u0301"
UNI_NFKC = nfkc(UNI)
assert UNI != UNI_NFKC
LONG72 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#%&()*+,-"
assert len(LONG72.encode()) == 72

SALT16 = bytes(range(16))
SALT16B = bytes(range(100, 116))

vectors = []


def add(name, hash_, valid, invalid, needs_rehash):
    vectors.append((name, hash_, valid, invalid, needs_rehash))


# Lucia "s2": NFKC-normalised password, r = 16.
add("lucia_s2_ascii", f"s2:hb8f0gqn2fzm3x1a:{lucia_scrypt(nfkc(ASCII), 'hb8f0gqn2fzm3x1a', 16)}",
    [ASCII], ["correct horse battery stapl", "Correct horse battery staple"], True)
add("lucia_s2_unicode", f"s2:0kq5v7w1z9c3x8m2:{lucia_scrypt(UNI_NFKC, '0kq5v7w1z9c3x8m2', 16)}",
    [UNI, UNI_NFKC], ["\ufb01 \uff30\uff41\uff53\uff53 cafe", "fi pass café"], True)
# Lucia 0.1/0.2 two-part "<salt>:<key>": Node's crypto.scrypt defaults (r = 8), raw password.
add("lucia_legacy_ascii", f"Xy7Qm2Rk9Lp4Tz1W:{lucia_scrypt(ASCII, 'Xy7Qm2Rk9Lp4Tz1W', 8)}",
    [ASCII], ["correct horse battery staple "], True)
add("lucia_legacy_unicode_raw", f"Ab3Cd5Ef7Gh9Ij1K:{lucia_scrypt(UNI, 'Ab3Cd5Ef7Gh9Ij1K', 8)}",
    [UNI], [UNI_NFKC], True)
add("lucia_legacy_unicode_nfkc", f"Lm2No4Pq6Rs8Tu0V:{lucia_scrypt(UNI_NFKC, 'Lm2No4Pq6Rs8Tu0V', 8)}",
    [UNI, UNI_NFKC], ["fi Pass cafe"], True)

# Lucia v3 `Scrypt` (and what v3's `LegacyScrypt.hash` wrote): two-part "<salt>:<key>" whose salt
# is 32 lowercase hex characters (16 random bytes, hex-encoded, used as a string), r = 16, NFKC.
add("lucia_v3_ascii",
    f"000102030405060708090a0b0c0d0e0f:{lucia_scrypt(nfkc(ASCII), '000102030405060708090a0b0c0d0e0f', 16)}",
    [ASCII], ["correct horse battery stapl"], True)
add("lucia_v3_unicode",
    f"6465666768696a6b6c6d6e6f70717273:{lucia_scrypt(UNI_NFKC, '6465666768696a6b6c6d6e6f70717273', 16)}",
    [UNI, UNI_NFKC], ["fi Pass cafe"], True)

# bcrypt, cost 4.
add("bcrypt_2b", bcrypt.hashpw(ASCII.encode(), bcrypt_salt("2b", 4, SALT16)).decode(),
    [ASCII], ["correct horse battery staplE"], True)
add("bcrypt_2a", bcrypt.hashpw(ASCII.encode(), bcrypt_salt("2a", 4, SALT16B)).decode(),
    [ASCII], ["correct horse"], True)
# pyca bcrypt computes $2y$ like $2b$ (it only differs in name) and keeps the prefix.
add("bcrypt_2y", bcrypt.hashpw(ASCII.encode(), bcrypt_salt("2y", 4, SALT16)).decode(),
    [ASCII], [""], True)
# Exactly 72 bytes verifies; one more byte must NOT verify against the 72-byte prefix's hash.
add("bcrypt_72_bytes", bcrypt.hashpw(LONG72.encode(), bcrypt_salt("2b", 4, SALT16B)).decode(),
    [LONG72], [LONG72 + "x", LONG72 + "\u00e9", LONG72[:71]], True)
add("bcrypt_unicode_raw", bcrypt.hashpw(UNI.encode(), bcrypt_salt("2b", 4, SALT16)).decode(),
    [UNI], [UNI_NFKC], True)

# PHC scrypt: hand-built from hashlib.scrypt, and one from passlib.
key = hashlib.scrypt(ASCII.encode(), salt=SALT16, n=1024, r=8, p=1, dklen=32)
add("scrypt_phc_hashlib", f"$scrypt$ln=10,r=8,p=1${b64(SALT16)}${b64(key)}",
    [ASCII], ["correct horse battery"], True)
add("scrypt_phc_passlib",
    passlib_scrypt.using(salt=SALT16B, rounds=10, block_size=8, parallelism=1).hash(UNI_NFKC),
    [UNI, UNI_NFKC], ["fi Pass cafe"], True)

# Argon2 from the reference implementation (argon2-cffi).
add("argon2id_small", argon2_phc(ASCII, SALT16, 1, 64, 1, 32, Type.ID),
    [ASCII], ["correct horse battery staple!"], True)
add("argon2i_small", argon2_phc(ASCII, SALT16, 2, 64, 1, 32, Type.I),
    [ASCII], ["correct-horse-battery-staple"], True)
add("argon2d_small", argon2_phc(ASCII, SALT16B, 1, 64, 1, 32, Type.D),
    [ASCII], ["CORRECT HORSE BATTERY STAPLE"], True)
add("argon2id_p2", argon2_phc(ASCII, SALT16B, 1, 64, 2, 32, Type.ID),
    [ASCII], ["x"], True)
add("argon2id_v16", argon2_phc(ASCII, SALT16, 1, 64, 1, 32, Type.ID, version=16),
    [ASCII], ["correct horse battery stapler"], True)
# The reference implementation reads a PHC string without "v=" as version 0x10.
add("argon2id_no_version",
    argon2_phc(ASCII, SALT16B, 1, 64, 1, 32, Type.ID, version=16).replace("$v=16$", "$"),
    [ASCII], ["correct horse battery stapler"], True)
# OWASP parameters (lucia's default): no rehash needed.
add("argon2id_owasp_ascii", argon2_phc(ASCII, SALT16, 2, 19456, 1, 32, Type.ID),
    [ASCII], ["correct horse battery stapl"], False)
add("argon2id_owasp_nfkc", argon2_phc(UNI_NFKC, SALT16B, 2, 19456, 1, 32, Type.ID),
    [UNI, UNI_NFKC], ["fi Pass cafe"], False)
# Hashed from the raw, non-NFKC form by another system: verifies, but asks for a rehash.
add("argon2id_owasp_unicode_raw", argon2_phc(UNI, SALT16, 2, 19456, 1, 32, Type.ID),
    [UNI], [UNI_NFKC], True)
add("argon2id_owasp_short_output", argon2_phc(ASCII, SALT16B, 2, 19456, 1, 16, Type.ID),
    [ASCII], ["correct horse battery stapl"], True)



def rust_str(s):
    out = []
    for ch in s:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            out.append("\\u{%x}" % ord(ch))
    return '"' + "".join(out) + '"'


print("const VECTORS: &[Vector] = &[")
for name, hash_, valid, invalid, needs_rehash in vectors:
    print("    Vector {")
    print(f"        name: {rust_str(name)},")
    print(f"        hash: {rust_str(hash_)},")
    print(f"        valid: &[{', '.join(rust_str(v) for v in valid)}],")
    print(f"        invalid: &[{', '.join(rust_str(v) for v in invalid)}],")
    print(f"        needs_rehash: {'true' if needs_rehash else 'false'},")
    print("    },")
print("];")
