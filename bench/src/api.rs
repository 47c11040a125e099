//! Plain HTTP calls to the server: signing in, reading the responses the
//! load test replays and the floors copy.

use crate::result::Result;

/// GET `url` (with the bearer `token`): the status and the body.
pub async fn get(url: &str, token: Option<&str>) -> Result<(u16, Vec<u8>)> {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.bytes().await?.to_vec()))
}

/// GET `url` as JSON, failing on any status but 200.
pub async fn get_json(url: &str, token: &str) -> Result<(Vec<u8>, serde_json::Value)> {
    let (status, body) = get(url, Some(token)).await?;
    if status != 200 {
        return Err(format!(
            "GET {url} answered {status}: {}",
            String::from_utf8_lossy(&body)
        )
        .into());
    }
    let value = serde_json::from_slice(&body)?;
    Ok((body, value))
}

/// Signs in; returns the session token.
pub async fn sign_in(base: &str, email: &str, password: &str) -> Result<String> {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/auth/sign-in"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await?;
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await?;
    match body["token"].as_str() {
        Some(token) if status == 200 => Ok(token.to_string()),
        _ => Err(format!("sign-in of {email} failed: {status} {body}").into()),
    }
}
