#!/usr/bin/env python3
"""Writes the fixed key set and the signed ID tokens of the `id_token` and `jwks` fuzz targets.

Fresh keys each run (the private keys are thrown away): fuzz_targets/fixture/jwks.json (the
public keys), fuzz_targets/fixture/tokens.txt (one token per line) and seed corpora. Needs
python3-cryptography. Run from fuzz/: python3 seeds/make_id_tokens.py
"""
import base64, hashlib, hmac, json, os
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def uint(n, length=None):
    length = length or (n.bit_length() + 7) // 8
    return b64(n.to_bytes(length, "big"))

def part(obj):
    return b64(json.dumps(obj, separators=(",", ":")).encode())

rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ec_key = ec.generate_private_key(ec.SECP256R1())
ed_key = ed25519.Ed25519PrivateKey.generate()
HS_SECRET = b"client-secret"

rn = rsa_key.public_key().public_numbers()
en = ec_key.public_key().public_numbers()
ed_pub = ed_key.public_key().public_bytes_raw()
jwks = {"keys": [
    {"kty": "RSA", "kid": "rsa1", "use": "sig", "alg": "RS256", "n": uint(rn.n), "e": uint(rn.e)},
    {"kty": "EC", "kid": "ec1", "use": "sig", "crv": "P-256", "x": uint(en.x, 32), "y": uint(en.y, 32)},
    {"kty": "OKP", "kid": "ed1", "crv": "Ed25519", "x": b64(ed_pub)},
]}

def sign(alg, kid, claims):
    header = {"alg": alg, "typ": "JWT"}
    if kid:
        header["kid"] = kid
    signing_input = f"{part(header)}.{part(claims)}".encode()
    if alg == "RS256":
        sig = rsa_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "PS256":
        sig = rsa_key.sign(signing_input, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    elif alg == "ES256":
        r, s = decode_dss_signature(ec_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif alg == "EdDSA":
        sig = ed_key.sign(signing_input)
    elif alg == "HS256":
        sig = hmac.new(HS_SECRET, signing_input, hashlib.sha256).digest()
    else:  # none
        sig = b""
    return f"{signing_input.decode()}.{b64(sig)}"

good = {"iss": "https://id.test", "aud": "app", "sub": "user-1", "iat": 1700000000,
        "exp": 4102444800, "nonce": "n"}
tokens = [
    sign("RS256", "rsa1", good),
    sign("PS256", "rsa1", good),
    sign("ES256", "ec1", good),
    sign("EdDSA", "ed1", good),
    sign("RS256", None, good),
    sign("HS256", None, good),
    sign("none", None, good),
    sign("RS256", "rsa1", {**good, "aud": ["app", "other"], "azp": "app"}),
    sign("RS256", "rsa1", {**good, "iss": "https://evil.test"}),
    sign("RS256", "rsa1", {**good, "exp": 1700000001}),
    sign("ES256", "ec1", {**good, "nonce": "other"}),
    sign("RS256", "nope", good),
]
os.makedirs("fuzz_targets/fixture", exist_ok=True)
with open("fuzz_targets/fixture/jwks.json", "w") as f:
    json.dump(jwks, f, indent=1)
with open("fuzz_targets/fixture/tokens.txt", "w") as f:
    f.write("\n".join(tokens) + "\n")
for target in ["id_token", "jwks"]:
    os.makedirs(f"corpus/{target}", exist_ok=True)
for i, token in enumerate(tokens):
    with open(f"corpus/id_token/token-{i:02}", "w") as f:
        f.write(token)
with open("corpus/jwks/fixture.json", "w") as f:
    json.dump(jwks, f)
for i, key in enumerate(jwks["keys"]):
    with open(f"corpus/jwks/one-key-{i}.json", "w") as f:
        json.dump({"keys": [key]}, f)
with open("corpus/jwks/oct.json", "w") as f:
    json.dump({"keys": [{"kty": "oct", "k": b64(HS_SECRET), "alg": "HS256"}]}, f)
with open("corpus/jwks/empty.json", "w") as f:
    f.write('{"keys":[]}')
