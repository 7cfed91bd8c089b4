#!/usr/bin/env python3
"""Independent check of a Jineng certificate credential, outside Rust.

Verifies a credential as any W3C verifier would, with nothing of Jineng's
code: the Data Integrity proof (cryptosuite eddsa-jcs-2022, W3C "Data
Integrity EdDSA Cryptosuites v1.0" section 3.3) under the key the issuer's
DID document lists for assertionMethod, and, given the status list
credential, its proof and the credential's revocation bit (W3C Bitstring
Status List). RFC 8785 canonicalisation comes from the PyPI package `jcs`,
Ed25519 from `cryptography`; multibase base58-btc, base64url and the
Multikey header are decoded here (a few lines each), so that Jineng and
this check share no code and so no mistake.

    python3 verify.py CREDENTIAL.json DID.json [STATUS_LIST.json]

Prints VALID (exit 0), REVOKED (exit 1) or INVALID: reason (exit 1).

A worker's archive bundle (a VerifiablePresentation without a proof of its
own: the worker holds no key) is checked credential by credential: the
wrapper must be a bare presentation (nothing unsigned rides along), the
first credential the archive credential (JinengArchiveCredential, no status
entry), each one's proof must hold and, given the status list, each
certificate naming that list must not be revoked. The first line is the
verdict on the whole bundle, then one line per credential.
Versions: see .ci/run (pinned there).
"""

import base64
import gzip
import hashlib
import json
import sys

import jcs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class Invalid(Exception):
    pass


def b58decode(s):
    n = 0
    for c in s:
        if c not in B58:
            raise Invalid(f"bad base58 character {c!r}")
        n = n * 58 + B58.index(c)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\x00" * (len(s) - len(s.lstrip("1"))) + body


def multibase_z(s):
    if not isinstance(s, str) or not s.startswith("z"):
        raise Invalid("multibase value must start with z (base58-btc)")
    return b58decode(s[1:])


def ed25519_multikey(s):
    raw = multibase_z(s)
    if len(raw) != 34 or raw[:2] != b"\xed\x01":
        raise Invalid("publicKeyMultibase is not an Ed25519 multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise Invalid(f"duplicate member {k!r}")
        out[k] = v
    return out


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        raise Invalid(f"{path}: not JSON ({e})")


def issuer_of(doc):
    issuer = doc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def resolve_key(did_doc, issuer, method):
    if did_doc.get("id") != issuer:
        raise Invalid("DID document is not the issuer's")
    if not method.startswith(issuer + "#"):
        raise Invalid("verificationMethod is not the issuer's")

    def same(ref):
        return ref == method or (ref.startswith("#") and issuer + ref == method)

    listed = [m if isinstance(m, str) else m.get("id") for m in did_doc.get("assertionMethod", [])]
    if not any(isinstance(r, str) and same(r) for r in listed):
        raise Invalid("key is not listed for assertionMethod")
    for vm in did_doc.get("verificationMethod", []):
        if same(vm.get("id", "")):
            if vm.get("controller", issuer) != issuer:
                raise Invalid("key has another controller")
            return ed25519_multikey(vm.get("publicKeyMultibase"))
    raise Invalid("key not found in the DID document")


def verify_proof(secured, did_doc):
    """Section 3.3.2 Verify Proof (eddsa-jcs-2022); the unsecured document."""
    doc = dict(secured)
    proof = doc.pop("proof", None)
    if not isinstance(proof, dict):
        raise Invalid("no single proof")
    options = dict(proof)
    proof_bytes = multibase_z(options.pop("proofValue", None))
    if len(proof_bytes) != 64:
        raise Invalid("proofValue is not a 64-byte signature")
    if options.get("type") != "DataIntegrityProof" or options.get("cryptosuite") != "eddsa-jcs-2022":
        raise Invalid("not an eddsa-jcs-2022 DataIntegrityProof")
    if options.get("proofPurpose") != "assertionMethod":
        raise Invalid("proofPurpose is not assertionMethod")
    if "@context" in options:
        ctx = options["@context"]
        ctx = ctx if isinstance(ctx, list) else [ctx]
        have = doc.get("@context")
        have = have if isinstance(have, list) else [have]
        if have[: len(ctx)] != ctx:
            raise Invalid("proof @context does not open the document's")
        doc["@context"] = options["@context"]
    transformed = jcs.canonicalize(doc)
    proof_config = jcs.canonicalize(options)
    hash_data = hashlib.sha256(proof_config).digest() + hashlib.sha256(transformed).digest()
    key = resolve_key(did_doc, issuer_of(secured), options.get("verificationMethod", ""))
    try:
        key.verify(proof_bytes, hash_data)
    except InvalidSignature:
        raise Invalid("signature does not verify")
    return doc


def revoked(credential, status_list, did_doc):
    entry = credential.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise Invalid("no BitstringStatusListEntry")
    listed = verify_proof(status_list, did_doc)
    if issuer_of(listed) != issuer_of(credential):
        raise Invalid("status list of another issuer")
    if listed.get("id") != entry.get("statusListCredential"):
        raise Invalid("not the status list the credential names")
    subject = listed["credentialSubject"]
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        raise Invalid("status purpose differs")
    encoded = subject["encodedList"]
    if not encoded.startswith("u"):
        raise Invalid("encodedList is not multibase base64url")
    body = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    if len(bits) * 8 < 131072:
        raise Invalid("status list shorter than 131072 bits")
    index = int(entry["statusListIndex"])
    if index >= len(bits) * 8:
        raise Invalid("status index out of range")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


PRESENTATION_KEYS = {"@context", "type", "verifiableCredential"}
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def check_bundle(bundle, did_doc, status_list):
    """Per credential: (label, VALID | REVOKED | INVALID: reason)."""
    if set(bundle) != PRESENTATION_KEYS:
        raise Invalid("presentation carries unsigned members")
    if bundle["@context"] != [VC_CONTEXT] or bundle["type"] != ["VerifiablePresentation"]:
        raise Invalid("not a bare VC 2.0 VerifiablePresentation")
    creds = bundle["verifiableCredential"]
    if not isinstance(creds, list) or not creds:
        raise Invalid("presentation holds no credential")
    if "JinengArchiveCredential" not in creds[0].get("type", []):
        raise Invalid("first credential is not the archive credential")
    out = []
    for vc in creds:
        archive = "JinengArchiveCredential" in vc.get("type", [])
        label = "archive" if archive else "certificate " + str(
            vc.get("credentialSubject", {}).get("certificate", {}).get("number"))
        try:
            if "VerifiableCredential" not in vc.get("type", []):
                raise Invalid("not a VerifiableCredential")
            doc = verify_proof(vc, did_doc)
            entry = doc.get("credentialStatus")
            if (not archive and status_list is not None and isinstance(entry, dict)
                    and entry.get("statusListCredential") == status_list.get("id")
                    and revoked(doc, status_list, did_doc)):
                out.append((label, "REVOKED"))
                continue
            out.append((label, "VALID"))
        except (Invalid, KeyError, TypeError, ValueError) as e:
            out.append((label, f"INVALID: {e}"))
    return out


def main_bundle(bundle, did_doc, status_list):
    results = check_bundle(bundle, did_doc, status_list)
    bad = [r for _, r in results if r != "VALID"]
    if not bad:
        print("VALID")
    elif all(r == "REVOKED" for r in bad):
        print("REVOKED")
    else:
        print("INVALID: " + next(r for r in bad if r != "REVOKED")[len("INVALID: "):])
    for label, r in results:
        print(f"  {label}: {r}")
    return 0 if not bad else 1


def main(argv):
    if len(argv) not in (3, 4):
        print("usage: verify.py CREDENTIAL.json DID.json [STATUS_LIST.json]", file=sys.stderr)
        return 2
    try:
        credential = load(argv[1])
        did_doc = load(argv[2])
        if "VerifiablePresentation" in credential.get("type", []):
            return main_bundle(credential, did_doc, load(argv[3]) if len(argv) == 4 else None)
        if "VerifiableCredential" not in credential.get("type", []):
            raise Invalid("not a VerifiableCredential")
        doc = verify_proof(credential, did_doc)
        if len(argv) == 4 and revoked(doc, load(argv[3]), did_doc):
            print("REVOKED")
            return 1
    except (Invalid, KeyError, TypeError, ValueError) as e:
        print(f"INVALID: {e}")
        return 1
    print("VALID")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
