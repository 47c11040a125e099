//! Roster's server behind an OpenID provider (a real one: panva's
//! oidc-provider): it names the provider in `/api/config`, takes the
//! provider's access tokens as bearer tokens, knows users by issuer and
//! subject, and refuses every token it must not trust with 401.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use roster_browser_tests::oidc::{Provider, ProviderOptions, ProviderUser, AUDIENCE};
use roster_browser_tests::{Server, TestResult};
use serde_json::{json, Value};

fn users() -> Vec<ProviderUser> {
    vec![
        ProviderUser::alice(),
        ProviderUser::new("erin", "erin@example.com", "Erin Example"),
    ]
}

async fn provider(keys: &tempfile::TempDir) -> TestResult<Provider> {
    Provider::start(ProviderOptions::new(
        users(),
        &keys.path().join("keys.json"),
    ))
    .await
}

async fn get(server: &Server, path: &str, token: Option<&str>) -> TestResult<(u16, Value)> {
    server.api(Method::GET, path, token, None).await
}

fn names(organizations: &Value) -> Vec<String> {
    let mut names: Vec<String> = organizations
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|o| o["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn the_provider_signs_people_in_and_the_config_names_it() -> TestResult {
    let keys = tempfile::tempdir()?;
    let provider = provider(&keys).await?;
    let server = Server::start_with_oidc(&provider, false, &[]).await?;

    let (status, config) = get(&server, "/config", None).await?;
    assert_eq!(status, 200);
    assert_eq!(config["auth"], "oidc");
    assert_eq!(
        config["oidc"],
        json!({"issuer": provider.issuer, "clientId": "roster-spa", "audience": AUDIENCE})
    );
    // Roster's own accounts are off.
    let (status, _) = server
        .api(
            Method::POST,
            "/auth/sign-in",
            None,
            Some(json!({"email": "alice@example.com", "password": "roster-demo"})),
        )
        .await?;
    assert_eq!(status, 404);

    // alice of the demo data, matched by her verified address.
    let alice = provider.sign_in("alice").await?;
    let (status, me) = get(&server, "/users/me", Some(&alice.access_token)).await?;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "alice@example.com");
    let (_, organizations) = get(&server, "/organizations", Some(&alice.access_token)).await?;
    assert_eq!(
        names(&organizations),
        ["Acme Corp", "Globex", "Initech", "Personal"]
    );

    // erin, first seen: an account with a personal organization, once.
    let erin = provider.sign_in("erin").await?;
    let (status, first) = get(&server, "/users/me", Some(&erin.access_token)).await?;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["email"], "erin@example.com");
    assert_eq!(first["name"], "Erin Example");
    assert_eq!(first["emailVerified"], true);
    let (_, again) = get(&server, "/users/me", Some(&erin.access_token)).await?;
    assert_eq!(again["id"], first["id"]);
    let (_, organizations) = get(&server, "/organizations", Some(&erin.access_token)).await?;
    assert_eq!(names(&organizations), ["Personal"]);

    // A new e-mail address at the provider follows the same account.
    let provider = provider
        .restart(ProviderOptions::new(
            vec![ProviderUser::new(
                "erin",
                "erin.new@example.com",
                "Erin Example",
            )],
            &keys.path().join("keys.json"),
        ))
        .await?;
    let renamed = provider.sign_in("erin").await?;
    let (_, me) = get(&server, "/users/me", Some(&renamed.access_token)).await?;
    assert_eq!(
        (me["id"].clone(), me["email"].clone()),
        (first["id"].clone(), json!("erin.new@example.com"))
    );
    Ok(())
}

/// Claims of a token for alice, valid for `AUDIENCE` at `issuer`.
fn claims(issuer: &str) -> Value {
    let now = chrono_now();
    json!({
        "iss": issuer, "aud": AUDIENCE, "sub": "alice",
        "iat": now, "exp": now + 300,
        "email": "alice@example.com", "email_verified": true,
    })
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// `claims` signed with the provider's own key (RS256), under `kid`.
fn signed(provider: &Provider, claims: &Value, kid: Option<&str>) -> TestResult<String> {
    let (pem, own_kid) = provider.signing_key_pem()?;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.unwrap_or(&own_kid).to_owned());
    Ok(jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes())?,
    )?)
}

fn b64(json: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
}

#[tokio::test]
async fn every_token_it_must_not_trust_is_refused_with_401() -> TestResult {
    let keys = tempfile::tempdir()?;
    let provider = provider(&keys).await?;
    let server = Server::start_with_oidc(&provider, false, &[]).await?;
    let issuer = provider.issuer.clone();
    let (_, own_kid) = provider.signing_key_pem()?;

    let refused = async |token: Option<&str>, expected: &str| -> TestResult {
        let (status, body) = get(&server, "/organizations", token).await?;
        assert_eq!(status, 401, "{expected}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(expected),
            "expected {expected:?} in {body}"
        );
        Ok(())
    };

    // First, while no key is known yet: a key the provider does not publish,
    // even after fetching its keys.
    let unknown = signed(&provider, &claims(&issuer), Some("not-a-published-key"))?;
    refused(Some(&unknown), "a key the provider does not publish").await?;

    // The control: the same claims under the provider's key are accepted.
    let good = signed(&provider, &claims(&issuer), None)?;
    let (status, body) = get(&server, "/organizations", Some(&good)).await?;
    assert_eq!(status, 200, "{body}");

    refused(None, "Unauthorized").await?;
    refused(Some("not-a-token"), "malformed").await?;
    refused(Some("abc.def.ghi"), "malformed").await?;

    // A signature that is not the provider's: one character changed in
    // its middle (the last one carries padding bits, and changing those
    // makes the token malformed rather than wrongly signed).
    let signature_start = good.rfind('.').ok_or("no signature")? + 1;
    let at = signature_start + 10;
    let mut tampered = good.clone();
    let changed = if &good[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, changed);
    refused(Some(&tampered), "signature is not valid").await?;
    let mut payload = claims(&issuer);
    payload["sub"] = json!("someone-else");
    let parts: Vec<&str> = good.split('.').collect();
    let swapped = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
    refused(Some(&swapped), "signature is not valid").await?;

    // `alg: none`, unsigned.
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT", "kid": own_kid})),
        b64(&claims(&issuer))
    );
    refused(Some(&none), "algorithm is not accepted").await?;

    // HS256 "signed" with the provider's public key as the secret.
    let client = reqwest::Client::new();
    let jwks = client
        .get(format!("{issuer}/jwks"))
        .send()
        .await?
        .text()
        .await?;
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(own_kid.clone());
    let confused = jsonwebtoken::encode(
        &hs,
        &claims(&issuer),
        &EncodingKey::from_secret(jwks.as_bytes())?,
    )?;
    refused(Some(&confused), "algorithm is not accepted").await?;

    let mut other = claims(&issuer);
    other["iss"] = json!("http://127.0.0.1:1");
    refused(Some(&signed(&provider, &other, None)?), "another provider").await?;

    let mut other = claims(&issuer);
    other["aud"] = json!("another-api");
    refused(
        Some(&signed(&provider, &other, None)?),
        "not meant for this API",
    )
    .await?;

    let mut expired = claims(&issuer);
    expired["exp"] = json!(chrono_now() - 120);
    refused(Some(&signed(&provider, &expired, None)?), "has expired").await?;

    let mut early = claims(&issuer);
    early["nbf"] = json!(chrono_now() + 600);
    refused(Some(&signed(&provider, &early, None)?), "not valid yet").await?;
    Ok(())
}

#[tokio::test]
async fn after_the_provider_rotates_its_key_old_tokens_fail_and_new_ones_work() -> TestResult {
    let keys = tempfile::tempdir()?;
    let provider = provider(&keys).await?;
    let old = provider.sign_in("alice").await?;

    let rotated = ProviderOptions {
        key_id: "rs-2".into(),
        ..ProviderOptions::new(users(), &keys.path().join("rotated.json"))
    };
    let provider = provider.restart(rotated).await?;
    let server = Server::start_with_oidc(&provider, false, &[]).await?;
    let new = provider.sign_in("alice").await?;
    let (status, body) = get(&server, "/users/me", Some(&new.access_token)).await?;
    assert_eq!(status, 200, "{body}");
    let (status, body) = get(&server, "/users/me", Some(&old.access_token)).await?;
    assert_eq!(status, 401, "{body}");
    assert!(body["message"]
        .as_str()
        .is_some_and(|m| m.contains("a key the provider does not publish")));
    Ok(())
}

#[tokio::test]
async fn pages_on_a_configured_origin_may_call_with_bearer_tokens_only() -> TestResult {
    let keys = tempfile::tempdir()?;
    let provider = provider(&keys).await?;
    let portal = "http://portal.example.test";
    let server = Server::start_with_oidc(&provider, true, &[portal]).await?;
    let client = reqwest::Client::new();
    let url = format!("{}/api/organizations", server.url);

    let preflight = client
        .request(Method::OPTIONS, &url)
        .header("Origin", portal)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await?;
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], portal);
    assert!(headers["access-control-allow-headers"]
        .to_str()?
        .to_ascii_lowercase()
        .contains("authorization"));
    assert!(!headers.contains_key("access-control-allow-credentials"));

    let token = provider.sign_in("alice").await?;
    let answer = client
        .get(&url)
        .header("Origin", portal)
        .bearer_auth(&token.access_token)
        .send()
        .await?;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["access-control-allow-origin"], portal);

    // Another origin gets no CORS answer.
    let elsewhere = client
        .get(&url)
        .header("Origin", "http://elsewhere.example.test")
        .bearer_auth(&token.access_token)
        .send()
        .await?;
    assert!(!elsewhere
        .headers()
        .contains_key("access-control-allow-origin"));

    // With `--auth both` Roster's own accounts still work.
    let session = server.token("bob@example.com", "roster-demo").await?;
    let (status, _) = get(&server, "/users/me", Some(&session)).await?;
    assert_eq!(status, 200);
    Ok(())
}
