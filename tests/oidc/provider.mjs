// A real OpenID provider for Roster's tests and `cargo xtask run --oidc`:
// panva's oidc-provider (OpenID Certified) with its own login and consent
// pages, a public client for the SPA (authorization code with PKCE,
// rotating refresh tokens, RP-initiated logout) and JWT access tokens whose
// audience is Roster's API.
//
// Settings (environment):
//   OIDC_PORT              port on 127.0.0.1; the issuer is http://127.0.0.1:PORT
//   OIDC_CLIENT_ID         the SPA's client id (default roster-spa)
//   OIDC_AUDIENCE          the API's audience, a URI (default https://roster.test/api)
//   OIDC_REDIRECT_URIS     comma-separated redirect and post-logout URIs
//   OIDC_USERS             JSON [{ "login", "email", "name", "emailVerified" }]:
//                          the login form's name is `login` (the subject);
//                          any password is accepted
//   OIDC_KEYS_FILE         its signing keys: read when the file exists,
//                          otherwise made (one RS256 key, id OIDC_KEY_ID)
//                          and written there, private JWK and PEM, so that
//                          tests can also sign tokens the provider would not
//   OIDC_KEY_ID            the id of a new key (default rs-1)
//   OIDC_ACCESS_TOKEN_TTL  seconds (default 300)
//   ROSTER_OIDC_PROVIDER_MODULE  the oidc-provider package's entry module
//                          (installed by `cargo xtask` outside the checkout)
// It prints "oidc-provider listening on <issuer>" once it accepts requests.

import crypto from "node:crypto";
import fs from "node:fs";
import { pathToFileURL } from "node:url";

const module = process.env.ROSTER_OIDC_PROVIDER_MODULE;
const { default: Provider } = await import(module ? pathToFileURL(module).href : "oidc-provider");

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.OIDC_CLIENT_ID || "roster-spa";
const audience = process.env.OIDC_AUDIENCE || "https://roster.test/api";
const uris = (process.env.OIDC_REDIRECT_URIS || "").split(",").filter(Boolean);
const users = new Map(
  JSON.parse(process.env.OIDC_USERS || "[]").map((user) => [user.login, user]),
);
const keysFile = process.env.OIDC_KEYS_FILE;
if (!fs.existsSync(keysFile)) {
  const kid = process.env.OIDC_KEY_ID || "rs-1";
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  const pem = privateKey.export({ type: "pkcs8", format: "pem" });
  fs.writeFileSync(keysFile, JSON.stringify({ keys: [jwk], pem }));
}
const { keys } = JSON.parse(fs.readFileSync(keysFile, "utf8"));
const jwks = { keys };
const accessTokenTtl = Number(process.env.OIDC_ACCESS_TOKEN_TTL || 300);

const claimsOf = (user) => ({
  email: user.email,
  email_verified: user.emailVerified !== false,
  name: user.name,
});

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      token_endpoint_auth_method: "none",
      application_type: "web",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      redirect_uris: uris,
      post_logout_redirect_uris: uris,
    },
  ],
  jwks,
  pkce: { required: () => true },
  scopes: ["openid", "email", "profile", "offline_access"],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
  },
  async findAccount(_ctx, sub) {
    const user = users.get(sub);
    if (!user) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...claimsOf(user) }) };
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Every token is for the API, whether the client names it or not.
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: "openid email profile offline_access",
        audience,
        accessTokenTTL: accessTokenTtl,
        accessTokenFormat: "jwt",
      }),
    },
  },
  // The API learns who the caller is from the access token itself.
  async extraTokenClaims(_ctx, token) {
    const user = users.get(token.accountId);
    return user ? claimsOf(user) : undefined;
  },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
  rotateRefreshToken: true,
  ttl: {
    AccessToken: accessTokenTtl,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 24 * 3600,
    Interaction: 3600,
    Session: 24 * 3600,
    Grant: 24 * 3600,
  },
  cookies: { keys: ["roster-test-cookie-key"] },
});

provider.on("server_error", (_ctx, error) => console.error(error));
provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
