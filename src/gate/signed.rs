//! Signed image URLs: a QR request, its owner's account, the owner's key (by generation
//! and creation time) and an optional expiry, packed into one URL-safe token and signed with HMAC-SHA-256. The
//! signing key is derived from the installation secret under a label of its own, so it
//! is never the secret that hashes API keys and CSRF tokens. No part of the API key is in
//! a signed URL; renewing the key moves the generation on and voids every URL signed
//! before.
//!
//! A token is `PAYLOAD.SIGNATURE`: the payload is base64url (no padding) of a small JSON
//! record, the signature base64url of the HMAC over the payload's text exactly as it
//! stands in the URL. The signature is compared as text, in constant time, so that no
//! two spellings of one token verify (base64's spare bits included).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::bounds::MAX_URI_BYTES;
use crate::store::ServerSecret;

/// Where signed URLs live; the token follows.
pub const SIGNED_PATH: &str = "/api/v1/s/";
/// The longest lifetime a URL may be given: one year.
pub const MAX_EXPIRES_IN_SECS: i64 = 365 * 24 * 60 * 60;
/// Domain separation: the signing key is HMAC(secret, this label).
const KEY_LABEL: &[u8] = b"qrgate/signed-image-url/v1";
/// The record format; a change of it is a new version, and old URLs stop verifying.
const VERSION: u8 = 1;
/// base64url of 32 bytes, without padding.
const SIGNATURE_CHARS: usize = 43;

/// What a signed URL stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub account_id: u64,
    /// `Account::key_generation` when it was signed.
    pub key_generation: u64,
    /// When the signing key was made (`KeyRecord::created_at`): with the generation, it
    /// names that one key even where a generation number comes round again (a restored
    /// backup renewed as often).
    pub key_created: i64,
    /// Unix seconds from which the URL no longer works; `None` for never.
    pub expires: Option<i64>,
    /// The QR type and its parameters (content and design), as `POST /api/v1/qr` takes
    /// them.
    pub kind: String,
    pub pairs: Vec<(String, String)>,
}

impl SignedRequest {
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires.is_some_and(|at| now >= at)
    }
}

/// The stored form: short names keep URLs short.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    v: u8,
    a: u64,
    g: u64,
    k: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<i64>,
    t: String,
    p: Vec<(String, String)>,
}

/// The token is not one this installation signed (altered, truncated, or made up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidSignature;

pub struct UrlSigner {
    key: [u8; 32],
}

impl UrlSigner {
    pub fn new(secret: &ServerSecret) -> Self {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("HMAC takes any key length");
        mac.update(KEY_LABEL);
        Self {
            key: mac.finalize().into_bytes().into(),
        }
    }

    /// The token for a request (the path is `SIGNED_PATH` + token).
    pub fn sign(&self, request: &SignedRequest) -> String {
        let record = Record {
            v: VERSION,
            a: request.account_id,
            g: request.key_generation,
            k: request.key_created,
            e: request.expires,
            t: request.kind.clone(),
            p: request.pairs.clone(),
        };
        let json = serde_json::to_vec(&record).expect("a record is plain data");
        let payload = URL_SAFE_NO_PAD.encode(json);
        let signature = self.signature(&payload);
        format!("{payload}.{signature}")
    }

    /// The request a token stands for, if this installation signed it unaltered. Expiry
    /// and the key generation are the caller's to check.
    pub fn verify(&self, token: &str) -> Result<SignedRequest, InvalidSignature> {
        let (payload, signature) = token.rsplit_once('.').ok_or(InvalidSignature)?;
        if payload.len() > MAX_URI_BYTES || signature.len() != SIGNATURE_CHARS {
            return Err(InvalidSignature);
        }
        let expected = self.signature(payload);
        if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
            return Err(InvalidSignature);
        }
        // Only what this installation wrote gets this far; a record it cannot read is
        // from another version of the format.
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| InvalidSignature)?;
        let record: Record = serde_json::from_slice(&json).map_err(|_| InvalidSignature)?;
        if record.v != VERSION {
            return Err(InvalidSignature);
        }
        Ok(SignedRequest {
            account_id: record.a,
            key_generation: record.g,
            key_created: record.k,
            expires: record.e,
            kind: record.t,
            pairs: record.p,
        })
    }

    fn signature(&self, payload: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(payload.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(byte: u8) -> UrlSigner {
        UrlSigner::new(&ServerSecret::for_tests([byte; 32]))
    }

    fn request() -> SignedRequest {
        SignedRequest {
            account_id: 7,
            key_generation: 3,
            key_created: 1_790_000_000,
            expires: Some(1_800_000_000),
            kind: "url".into(),
            pairs: vec![
                ("url".into(), "https://example.org/menu?a=1&b=ä".into()),
                ("size".into(), "300".into()),
            ],
        }
    }

    #[test]
    fn a_token_verifies_to_the_request_it_was_signed_for() {
        let signer = signer(1);
        let token = signer.sign(&request());
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'),
            "{token}"
        );
        assert_eq!(signer.verify(&token), Ok(request()));
        let forever = SignedRequest {
            expires: None,
            ..request()
        };
        assert_eq!(signer.verify(&signer.sign(&forever)), Ok(forever));
    }

    #[test]
    fn every_single_character_change_is_refused() {
        let signer = signer(1);
        let token = signer.sign(&request());
        for i in 0..token.len() {
            for replacement in [b'A', b'x', b'-', b'.'] {
                let mut bytes = token.clone().into_bytes();
                if bytes[i] == replacement {
                    continue;
                }
                bytes[i] = replacement;
                let tampered = String::from_utf8(bytes).unwrap();
                assert_eq!(
                    signer.verify(&tampered),
                    Err(InvalidSignature),
                    "position {i}"
                );
            }
        }
        assert_eq!(
            signer.verify(&token[..token.len() - 1]),
            Err(InvalidSignature)
        );
        assert_eq!(signer.verify(&format!("{token}A")), Err(InvalidSignature));
        assert_eq!(signer.verify(""), Err(InvalidSignature));
    }

    #[test]
    fn another_installation_cannot_verify_the_token() {
        let token = signer(1).sign(&request());
        assert_eq!(signer(2).verify(&token), Err(InvalidSignature));
    }

    #[test]
    fn the_signing_key_is_not_the_installation_secret() {
        let secret = [9u8; 32];
        assert_ne!(UrlSigner::new(&ServerSecret::for_tests(secret)).key, secret);
    }

    proptest::proptest! {
        #[test]
        fn any_request_round_trips(
            account_id: u64,
            key_generation: u64,
            key_created: i64,
            expires: Option<i64>,
            kind in "[a-z]{1,8}",
            pairs in proptest::collection::vec(("[a-z_]{1,12}", ".{0,40}"), 0..6),
        ) {
            let request = SignedRequest { account_id, key_generation, key_created, expires, kind, pairs };
            let signer = signer(3);
            proptest::prop_assert_eq!(signer.verify(&signer.sign(&request)), Ok(request));
        }

        #[test]
        fn made_up_tokens_are_refused_without_panicking(token in ".{0,300}") {
            proptest::prop_assert_eq!(signer(3).verify(&token), Err(InvalidSignature));
        }
    }

    #[test]
    fn expiry_is_exclusive_of_the_expiry_second() {
        let request = request();
        assert!(!request.is_expired(1_799_999_999));
        assert!(request.is_expired(1_800_000_000));
        let forever = SignedRequest {
            expires: None,
            ..request
        };
        assert!(!forever.is_expired(i64::MAX));
    }
}
