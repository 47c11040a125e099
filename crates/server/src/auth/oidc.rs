//! Bearer access tokens from an OpenID provider: JWTs verified against the
//! keys the issuer publishes (its JWKS, found through discovery), as
//! Daytona's API does.
//!
//! - Only asymmetric algorithms: RS256 and ES256, and PS256 or EdDSA when
//!   the provider advertises them. `none` and every HMAC algorithm are
//!   refused before any key is looked at, so a token "signed" with the
//!   provider's public key as an HMAC secret proves nothing.
//! - `iss` is the configured issuer, `aud` holds the configured audience,
//!   `exp` and `nbf` hold with a small leeway for clocks.
//! - The key set is cached; a token naming a key the cache lacks makes it
//!   fetch the set again, at most once a minute (a provider that rotated
//!   its keys is followed; a flood of made-up key ids is not).
//! - The e-mail address, its verification and the name come from the
//!   token, else from the provider's `userinfo` endpoint (cached a while).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use crate::config::OidcSettings;

/// Why a bearer token was refused. Each is a 401 but `Provider`, which is
/// this server's trouble (503); the messages are safe to show.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Rejection {
    #[error("The access token is malformed")]
    Malformed,
    #[error("The access token's signing algorithm is not accepted")]
    Algorithm,
    #[error("The access token was signed with a key the provider does not publish")]
    UnknownKey,
    #[error("The access token's signature is not valid")]
    Signature,
    #[error("The access token was issued by another provider")]
    Issuer,
    #[error("The access token is not meant for this API")]
    Audience,
    #[error("The access token has expired")]
    Expired,
    #[error("The access token is not valid yet")]
    NotYetValid,
    #[error("The access token does not say who the user is (no e-mail address)")]
    NoEmail,
    #[error("The identity provider cannot be reached: {0}")]
    Provider(String),
}

/// Who the provider says the caller is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// How long the clocks of the provider and this server may disagree.
const LEEWAY_SECONDS: u64 = 30;
/// The key set is fetched again for an unknown key at most this often.
const REFETCH_AFTER: Duration = Duration::from_secs(60);
/// How long a user's `userinfo` answer is reused.
const PROFILE_TTL: Duration = Duration::from_secs(300);
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
    #[serde(default)]
    id_token_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    request_object_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    userinfo_signing_alg_values_supported: Vec<String>,
}

impl Discovery {
    fn advertises(&self, alg: &str) -> bool {
        [
            &self.id_token_signing_alg_values_supported,
            &self.token_endpoint_auth_signing_alg_values_supported,
            &self.request_object_signing_alg_values_supported,
            &self.userinfo_signing_alg_values_supported,
        ]
        .iter()
        .any(|list| list.iter().any(|a| a == alg))
    }
}

#[derive(Default)]
struct Keys {
    set: Vec<Jwk>,
    fetched_at: Option<Instant>,
}

#[derive(Clone, Debug, Default, Deserialize)]
struct Profile {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<bool>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(flatten)]
    profile: Profile,
}

/// The header fields read before anything else.
#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// Verifies access tokens of one issuer (see the module's notes).
pub struct Verifier {
    settings: OidcSettings,
    http: reqwest::Client,
    discovery: RwLock<Option<Discovery>>,
    keys: RwLock<Keys>,
    /// One fetch of the key set at a time.
    fetching: Mutex<()>,
    profiles: Mutex<HashMap<String, (Instant, Profile)>>,
}

impl Verifier {
    pub fn new(settings: OidcSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .build()
            .unwrap_or_default();
        Verifier {
            settings,
            http,
            discovery: RwLock::default(),
            keys: RwLock::default(),
            fetching: Mutex::default(),
            profiles: Mutex::default(),
        }
    }

    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// Whether `token` looks like a JWT (three base64url parts) rather than
    /// one of Roster's own session tokens.
    pub fn looks_like_jwt(token: &str) -> bool {
        token.split('.').count() == 3
    }

    /// Checks `token` and says who it names.
    pub async fn verify(&self, token: &str) -> Result<Identity, Rejection> {
        let header = read_header(token)?;
        let discovery = self.discovery().await?;
        let algorithm = accepted_algorithm(&header.alg, &discovery)?;
        let key = self.key_for(header.kid.as_deref(), algorithm).await?;
        let decoding = DecodingKey::from_jwk(&key).map_err(|_| Rejection::UnknownKey)?;

        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &decoding, &validation)
            .map_err(|error| rejection_of(&error))?
            .claims;

        let profile = if claims.profile.email.is_some() {
            claims.profile
        } else {
            self.userinfo(&claims.sub, token, &discovery).await?
        };
        let email = profile
            .email
            .filter(|e| !e.trim().is_empty())
            .ok_or(Rejection::NoEmail)?;
        Ok(Identity {
            issuer: self.settings.issuer.clone(),
            subject: claims.sub,
            email,
            email_verified: profile.email_verified.unwrap_or(false),
            name: profile.name.or(profile.preferred_username),
        })
    }

    async fn discovery(&self) -> Result<Discovery, Rejection> {
        if let Some(found) = self.discovery.read().await.clone() {
            return Ok(found);
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.trim_end_matches('/')
        );
        let found: Discovery = self.get_json(&url, None).await?;
        if found.issuer != self.settings.issuer {
            return Err(Rejection::Provider(format!(
                "its discovery document names the issuer {:?}, not {:?}",
                found.issuer, self.settings.issuer
            )));
        }
        *self.discovery.write().await = Some(found.clone());
        Ok(found)
    }

    /// The published key `kid` (or the only one for `algorithm` when the
    /// token names none), fetching the set again when it is not known.
    async fn key_for(&self, kid: Option<&str>, algorithm: Algorithm) -> Result<Jwk, Rejection> {
        let find = |keys: &Keys| find_key(&keys.set, kid, algorithm);
        {
            let keys = self.keys.read().await;
            if let Some(key) = find(&keys) {
                return key;
            }
        }
        let _one_at_a_time = self.fetching.lock().await;
        {
            let keys = self.keys.read().await;
            if let Some(key) = find(&keys) {
                return key;
            }
            if keys
                .fetched_at
                .is_some_and(|at| at.elapsed() < REFETCH_AFTER)
            {
                return Err(Rejection::UnknownKey);
            }
        }
        let discovery = self.discovery().await?;
        let set: JwkSet = self.get_json(&discovery.jwks_uri, None).await?;
        let mut keys = self.keys.write().await;
        *keys = Keys {
            set: set.keys,
            fetched_at: Some(Instant::now()),
        };
        find(&keys).unwrap_or(Err(Rejection::UnknownKey))
    }

    async fn userinfo(
        &self,
        subject: &str,
        token: &str,
        discovery: &Discovery,
    ) -> Result<Profile, Rejection> {
        if let Some((at, profile)) = self.profiles.lock().await.get(subject) {
            if at.elapsed() < PROFILE_TTL {
                return Ok(profile.clone());
            }
        }
        let Some(endpoint) = &discovery.userinfo_endpoint else {
            return Err(Rejection::NoEmail);
        };
        let profile: Profile = self.get_json(endpoint, Some(token)).await?;
        let mut profiles = self.profiles.lock().await;
        profiles.retain(|_, (at, _)| at.elapsed() < PROFILE_TTL);
        profiles.insert(subject.to_owned(), (Instant::now(), profile.clone()));
        Ok(profile)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<T, Rejection> {
        let mut request = self.http.get(url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| Rejection::Provider(format!("{url}: {e}")))?;
        if !response.status().is_success() {
            return Err(Rejection::Provider(format!(
                "{url} answered {}",
                response.status()
            )));
        }
        response
            .json()
            .await
            .map_err(|e| Rejection::Provider(format!("{url}: {e}")))
    }
}

fn read_header(token: &str) -> Result<Header, Rejection> {
    let encoded = token.split('.').next().ok_or(Rejection::Malformed)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .map_err(|_| Rejection::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| Rejection::Malformed)
}

/// RS256 and ES256 always; PS256 and EdDSA when the provider advertises
/// them; nothing else (`none`, HMAC).
fn accepted_algorithm(alg: &str, discovery: &Discovery) -> Result<Algorithm, Rejection> {
    match alg {
        "RS256" => Ok(Algorithm::RS256),
        "ES256" => Ok(Algorithm::ES256),
        "PS256" if discovery.advertises("PS256") => Ok(Algorithm::PS256),
        "EdDSA" if discovery.advertises("EdDSA") => Ok(Algorithm::EdDSA),
        _ => Err(Rejection::Algorithm),
    }
}

fn find_key(
    set: &[Jwk],
    kid: Option<&str>,
    algorithm: Algorithm,
) -> Option<Result<Jwk, Rejection>> {
    let usable = |key: &&Jwk| {
        !matches!(key.common.public_key_use, Some(PublicKeyUse::Encryption))
            && key
                .common
                .key_algorithm
                .is_none_or(|declared| declared.to_string() == format!("{algorithm:?}"))
    };
    match kid {
        Some(kid) => set
            .iter()
            .find(|key| key.common.key_id.as_deref() == Some(kid))
            .map(|key| {
                if usable(&key) {
                    Ok(key.clone())
                } else {
                    Err(Rejection::Algorithm)
                }
            }),
        None => {
            let mut candidates = set.iter().filter(usable);
            match (candidates.next(), candidates.next()) {
                (Some(only), None) => Some(Ok(only.clone())),
                _ => None,
            }
        }
    }
}

fn rejection_of(error: &jsonwebtoken::errors::Error) -> Rejection {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => Rejection::Expired,
        ErrorKind::ImmatureSignature => Rejection::NotYetValid,
        ErrorKind::InvalidIssuer => Rejection::Issuer,
        ErrorKind::InvalidAudience => Rejection::Audience,
        ErrorKind::InvalidSignature => Rejection::Signature,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => Rejection::Algorithm,
        _ => Rejection::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discovery(advertised: &[&str]) -> Discovery {
        Discovery {
            issuer: "https://id.example.com".into(),
            jwks_uri: "https://id.example.com/jwks".into(),
            userinfo_endpoint: None,
            id_token_signing_alg_values_supported: advertised
                .iter()
                .map(|a| a.to_string())
                .collect(),
            token_endpoint_auth_signing_alg_values_supported: Vec::new(),
            request_object_signing_alg_values_supported: Vec::new(),
            userinfo_signing_alg_values_supported: Vec::new(),
        }
    }

    #[test]
    fn only_asymmetric_algorithms_are_accepted() {
        let plain = discovery(&["RS256"]);
        assert_eq!(accepted_algorithm("RS256", &plain), Ok(Algorithm::RS256));
        assert_eq!(accepted_algorithm("ES256", &plain), Ok(Algorithm::ES256));
        for refused in ["none", "None", "HS256", "HS512", "PS256", "EdDSA", ""] {
            assert_eq!(
                accepted_algorithm(refused, &plain),
                Err(Rejection::Algorithm),
                "{refused}"
            );
        }
        let more = discovery(&["RS256", "PS256", "EdDSA", "HS256"]);
        assert_eq!(accepted_algorithm("PS256", &more), Ok(Algorithm::PS256));
        assert_eq!(accepted_algorithm("EdDSA", &more), Ok(Algorithm::EdDSA));
        assert_eq!(
            accepted_algorithm("HS256", &more),
            Err(Rejection::Algorithm)
        );
    }

    fn jwk(kid: &str, alg: Option<&str>, usage: &str) -> Jwk {
        let mut key = serde_json::json!({
            "kty": "RSA", "kid": kid, "use": usage,
            "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw",
            "e": "AQAB"
        });
        if let Some(alg) = alg {
            key["alg"] = serde_json::json!(alg);
        }
        serde_json::from_value(key).unwrap()
    }

    #[test]
    fn keys_are_found_by_id_and_only_for_signing_with_their_algorithm() {
        let set = vec![
            jwk("rs-1", Some("RS256"), "sig"),
            jwk("enc-1", None, "enc"),
            jwk("ps-1", Some("PS256"), "sig"),
        ];
        let found = |kid, alg| find_key(&set, kid, alg).map(|r| r.map(|k| k.common.key_id));
        assert_eq!(
            found(Some("rs-1"), Algorithm::RS256),
            Some(Ok(Some("rs-1".into())))
        );
        assert_eq!(
            found(Some("unknown"), Algorithm::RS256),
            None,
            "fetched again"
        );
        assert_eq!(
            found(Some("enc-1"), Algorithm::RS256),
            Some(Err(Rejection::Algorithm))
        );
        assert_eq!(
            found(Some("ps-1"), Algorithm::RS256),
            Some(Err(Rejection::Algorithm))
        );
        // Without a key id, only an unambiguous key serves.
        assert_eq!(found(None, Algorithm::PS256), Some(Ok(Some("ps-1".into()))));
        let two = vec![jwk("a", None, "sig"), jwk("b", None, "sig")];
        assert!(find_key(&two, None, Algorithm::RS256).is_none());
    }

    #[test]
    fn a_header_that_is_not_base64_json_is_malformed() {
        assert!(read_header("not-a-token").is_err());
        assert!(read_header("e30.e30.sig").is_err(), "no alg");
        let header = read_header("eyJhbGciOiJub25lIn0.e30.").unwrap();
        assert_eq!(header.alg, "none");
    }

    /// A provider whose access tokens carry no e-mail address (the API
    /// then asks its userinfo endpoint, once a while per user): served
    /// here on loopback, with a key made for this test.
    #[tokio::test]
    async fn without_an_email_claim_the_userinfo_endpoint_says_who_it_is() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;

        use axum::routing::get;

        const KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCty3ylV0bNRhEs\n9u13zYNvkY59eObwDjRS5Vg4hJMrvB7ekkyYCr559dcWJSzGj09d5P18Xo+FVSYN\n6y4G+I1FClNGq05xoFAJZUm2dCIF0yY0ZeL90FwQXpb7ggxg2JC23PLPZ3eh/ZSA\n01Oi1rqYFY8NYnV3kR0Im7hMexX6K+0grP/fhk6ZG217rx14rAHdC6BrKgNibKgn\nIrdO1QPmhc3OwID6Brcbx/WhvcK/739FwnBS/KZmmn47rwK9JTx9LNBebPb9KdU6\nqJu1WumlEPKzD/avuePkGmoKuSlrUzqvR0m86AvO6ZDYkyElQsMxRTWUZV5Q5IQp\nJBJVTNJrAgMBAAECggEAC6OWDGik6DhqDA3ZZ22PANjJpyOCq873uBl96AMQ7Bvk\nIVnA4WnOydIp/mSs8/tDAHHGfB7FE9PZAZOfeH4Kz/XaD+CHF1r6ITb0UdDDOoqi\ng13TbtYWZE5BZESYWaAHSQfRBwzR2TpnSJ1ee4hP5MGE3Auc/E3umNX86LpRhXhx\nVvr37dWi4XLrrzJSXEIxM0Z/C8/VoXmzEy4V4AcWie4knL9p2q3Ui+Qzw5OLd2gn\nNiyjGESh83D7xIKnR5oG845+lFmbwkU2GLsd9mvQNqryRtJCGd3U2oeuLt8WKFE8\n2TEzHJHK2GREYs/6RAzykfPsHKIkoSzyjVq/1atIYQKBgQDdXCkzTDkCsqlgaJwZ\nE8lekvlby+EkRI56dh2Hl4ciAekFUngQl2mn3bZBje5BSyw3dhF4BHv60QkCIoWm\nR1qbjdDs9bt0+9HFYgMmSCAWlZGnHHDSi4DKOTDfrA0koWZS1PYeWG6kh9ZCKcfh\nDLlDv2al1PBRPmDtmghGHeQkMQKBgQDI/dU603zZoaFnxGPTqBrWw+98bHz9mpyH\nHWI3O9OnJ/DrFIQ/gFIYaoeLnGVYzffMMig7+OS/aU0rwJh80SxLkU8MXTEfUmvQ\nRcPOlAfeDnAiIYbhpAXYulaDZYn0JE9pUKk5/OPTwZ1/nXMN7rQoTyK+JO61CY5l\nBXAR868FWwKBgE6s2+Pkmnqv/21JoPl0w+R+Pmx2+S1HxJAX/QTdQWU/4o9GsW/M\nMPw92/JOvLiuPCf2Kd1LUrlhpF8C4BeqUrTo4bHm4NqCShtqa44momkEfgE0JZFf\njcXSL+G/p+g2CUU1dchxS9nkga2AZg9B03MVyyjzlvp5PkAUuA4bv6NxAoGBAMUM\nLg9VJfLLRk1QObpY9a8WOuUWC1gqS0kf4plZ+v/G5afi3mDPMi0jy61w798nVsgH\naHCba8/IsdKyKA0+mRmg5QmvF6ioinCO5Q/TCv+F0iN0ESOIRf8beBOr6ZrEOmJ6\npN3n84g4Kmvhddnz6wYVx275EFnGe6bItP20lSM/AoGBAKgwSW9lPxLlxZfGE5us\nz0KFrTiY4gIC8dfxQg4rbhc/X1f2clAqzfjnWY+R0nq4QkdgU3UP0bxuDB9m45NN\n/qHIdgLmeTSGmabOGBvlh+jIlZqECtczaDu9hCijTAOAt93KnSYF6zb9b7UmAdXZ\nJ4fq0R2gffS7EWesBklLUg6Z\n-----END PRIVATE KEY-----\n";
        const MODULUS: &str = "rct8pVdGzUYRLPbtd82Db5GOfXjm8A40UuVYOISTK7we3pJMmAq-efXXFiUsxo9PXeT9fF6PhVUmDesuBviNRQpTRqtOcaBQCWVJtnQiBdMmNGXi_dBcEF6W-4IMYNiQttzyz2d3of2UgNNTota6mBWPDWJ1d5EdCJu4THsV-ivtIKz_34ZOmRtte68deKwB3QugayoDYmyoJyK3TtUD5oXNzsCA-ga3G8f1ob3Cv-9_RcJwUvymZpp-O68CvSU8fSzQXmz2_SnVOqibtVrppRDysw_2r7nj5BpqCrkpa1M6r0dJvOgLzumQ2JMhJULDMUU1lGVeUOSEKSQSVUzSaw";
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let asked = Arc::new(AtomicUsize::new(0));
        let discovery = serde_json::json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/jwks"),
            "userinfo_endpoint": format!("{issuer}/userinfo"),
            "id_token_signing_alg_values_supported": ["RS256"],
        });
        let jwks = serde_json::json!({"keys": [{
            "kty": "RSA", "kid": "t-1", "alg": "RS256", "use": "sig", "n": MODULUS, "e": "AQAB",
        }]});
        let counter = Arc::clone(&asked);
        let app = axum::Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || async move { axum::Json(discovery) }),
            )
            .route("/jwks", get(move || async move { axum::Json(jwks) }))
            .route(
                "/userinfo",
                get(move |headers: axum::http::HeaderMap| async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let bearer = headers
                        .get("authorization")
                        .is_some_and(|v| v.as_bytes().starts_with(b"Bearer "));
                    assert!(bearer, "userinfo is asked with the access token");
                    axum::Json(serde_json::json!({
                        "sub": "uma", "email": "uma@example.com",
                        "email_verified": true, "name": "Uma Usher",
                    }))
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });

        let verifier = Verifier::new(OidcSettings {
            issuer: issuer.clone(),
            client_id: "spa".into(),
            audience: "https://api.test".into(),
        });
        let now = chrono::Utc::now().timestamp();
        let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
        header.kid = Some("t-1".into());
        let token = jsonwebtoken::encode(
            &header,
            &serde_json::json!({
                "iss": issuer, "aud": "https://api.test", "sub": "uma",
                "iat": now, "exp": now + 300,
            }),
            &jsonwebtoken::EncodingKey::from_rsa_pem(KEY_PEM.as_bytes()).unwrap(),
        )
        .unwrap();
        let identity = verifier.verify(&token).await.unwrap();
        assert_eq!(
            (
                identity.subject.as_str(),
                identity.email.as_str(),
                identity.email_verified
            ),
            ("uma", "uma@example.com", true)
        );
        assert_eq!(identity.name.as_deref(), Some("Uma Usher"));
        verifier.verify(&token).await.unwrap();
        assert_eq!(
            asked.load(Ordering::SeqCst),
            1,
            "asked once, then remembered"
        );
    }
}
