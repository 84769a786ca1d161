//! The identity side of the simulated tenant: managed-identity endpoints in each host's form,
//! an OIDC issuer whose tokens the token endpoint accepts as federated assertions, a GitHub
//! Actions-style ID-token endpoint, the device code flow, and the service principals and app
//! role assignments that `grant-permissions` writes.
//!
//! | Route | Form |
//! |---|---|
//! | `GET /msi/token` | App Service / Functions / Automation: `X-IDENTITY-HEADER` must be [`IDENTITY_HEADER`], `api-version=2019-08-01` |
//! | `GET /metadata/identity/oauth2/token` | IMDS: `Metadata: true`, `api-version`; point `AZURE_POD_IDENTITY_AUTHORITY_HOST` at the base URL |
//! | `GET /arc/token` | Azure Arc: 401 with `WWW-Authenticate: Basic realm=<key file>`, then `Authorization: Basic <file contents>` |
//! | `POST /cloudshell/token` | Cloud Shell: form `resource`, `Metadata: true` |
//! | `GET /msi/legacy` | the 2017 protocol: header `secret` must be [`LEGACY_MSI_SECRET`] |
//! | `GET /_github/idtoken` | GitHub Actions: `Authorization: Bearer` [`GITHUB_REQUEST_TOKEN`], `audience=` |
//! | `GET /_oidc/.well-known/openid-configuration`, `GET /_oidc/keys` | the issuer and its published key |
//! | `POST /{tenant}/oauth2/v2.0/devicecode` | the device code flow |
//! | `/v1.0/servicePrincipals...` | service principals and their `appRoleAssignments` |
//!
//! Faults apply to these routes like any other (`Fault::new("GET",
//! "/metadata/identity/oauth2/token", FaultKind::Status { status: 503 }).nth(1)`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use axum::http::{HeaderMap, Method, StatusCode};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::lock;
use crate::server::{bearer, url_decode_pairs, Answer, Shared, Tenant, TokenInfo};
use crate::SimHandle;

/// The App Service identity header value (test-only secret).
pub const IDENTITY_HEADER: &str = "sim-identity-header-5b1d";
/// The 2017 protocol's `MSI_SECRET` (test-only secret).
pub const LEGACY_MSI_SECRET: &str = "sim-msi-secret-8c2a";
/// The GitHub runner's ID-token request token (test-only secret).
pub const GITHUB_REQUEST_TOKEN: &str = "sim-github-request-token-3e7f";
/// Client id of the host's system-assigned managed identity.
pub const MANAGED_IDENTITY_CLIENT_ID: &str = "22222222-aaaa-4bbb-8ccc-000000000001";
/// Object id of the system-assigned managed identity's service principal.
pub const MANAGED_IDENTITY_OBJECT_ID: &str = "22222222-aaaa-4bbb-8ccc-0000000000a1";
/// Client id of the user-assigned managed identity.
pub const USER_ASSIGNED_CLIENT_ID: &str = "22222222-aaaa-4bbb-8ccc-000000000002";
/// Object id of the user-assigned managed identity.
pub const USER_ASSIGNED_OBJECT_ID: &str = "22222222-aaaa-4bbb-8ccc-0000000000a2";
/// Resource id of the user-assigned managed identity.
pub const USER_ASSIGNED_RESOURCE_ID: &str = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/intune/providers/Microsoft.ManagedIdentity/userAssignedIdentities/intune-apple";
/// An application with federated identity credentials for [`K8S_SUBJECT`] and
/// [`GITHUB_SUBJECT`] (issuer: the simulator's `/_oidc`).
pub const FEDERATED_CLIENT_ID: &str = "11111111-aaaa-4bbb-8ccc-000000000004";
/// The Kubernetes service account trusted by [`FEDERATED_CLIENT_ID`].
pub const K8S_SUBJECT: &str = "system:serviceaccount:intune:intune-apple";
/// The GitHub repository and branch trusted by [`FEDERATED_CLIENT_ID`].
pub const GITHUB_SUBJECT: &str = "repo:contoso/intune-apple:ref:refs/heads/main";
/// The audience federated tokens must carry.
pub const FEDERATED_AUDIENCE: &str = "api://AzureADTokenExchange";
/// A public client app for the device code flow (signs in as an Intune administrator).
pub const PUBLIC_CLIENT_ID: &str = "11111111-aaaa-4bbb-8ccc-000000000005";
/// Object id of Microsoft Graph's service principal in the simulated tenant.
pub const GRAPH_SERVICE_PRINCIPAL_ID: &str = "33333333-aaaa-4bbb-8ccc-000000000001";

const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
const ISSUER_KEY_PEM: &str = include_str!("../fixtures/oidc-issuer-key.pem");
const KEY_ID: &str = "sim-issuer-1";

/// Graph's application roles the simulator publishes (ids as in Microsoft's table).
const GRAPH_ROLES: &[(&str, &str)] = &[
    (
        "DeviceManagementServiceConfig.Read.All",
        "06a5fe6d-c49d-46a7-b082-56b1b14103c7",
    ),
    (
        "DeviceManagementServiceConfig.ReadWrite.All",
        "5ac13192-7ace-4fcf-b828-1a26f28068ee",
    ),
    (
        "DeviceManagementApps.Read.All",
        "7a6ee1e7-141e-4cec-ae74-d9db155731ff",
    ),
    (
        "DeviceManagementApps.ReadWrite.All",
        "78145de6-330d-4800-a6ce-494ff2d33d07",
    ),
    (
        "DeviceManagementManagedDevices.Read.All",
        "2f51be20-0bb4-4fed-bf7b-db946066c75e",
    ),
    ("Mail.Send", "b633e1c5-b582-4048-a93e-9f11b44c7e96"),
];

/// State of the identity routes.
#[derive(Default)]
pub(crate) struct IdentityState {
    arc_dir: Mutex<Option<PathBuf>>,
    arc_key: Mutex<Option<String>>,
    /// Device codes and how many times each was polled.
    device_codes: Mutex<HashMap<String, u32>>,
    refresh_tokens: Mutex<Vec<String>>,
    assignments: Mutex<Vec<Value>>,
}

fn answer(status: StatusCode, body: Value) -> Answer {
    Answer {
        status,
        body,
        raw: None,
        headers: Vec::new(),
        write: false,
    }
}

fn oauth_error(
    status: StatusCode,
    code: &str,
    aadsts: u32,
    text: &str,
    now: DateTime<Utc>,
) -> Answer {
    answer(
        status,
        json!({"error": code, "error_description": format!("AADSTS{aadsts}: {text}"),
            "error_codes": [aadsts], "timestamp": now.format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": uuid::Uuid::new_v4().to_string(),
            "correlation_id": uuid::Uuid::new_v4().to_string()}),
    )
}

/// Issues an access token of `client_id` on the tenant's logical clock.
fn issue(t: &mut Tenant, client_id: &'static str, read_only: bool) -> (String, DateTime<Utc>) {
    let token = format!("sim.{}", uuid::Uuid::new_v4().simple());
    let expires = t.now + Duration::seconds(t.token_lifetime);
    t.tokens.insert(
        token.clone(),
        TokenInfo {
            expires,
            read_only,
            client_id,
        },
    );
    (token, expires)
}

/// Which managed identity a request names (`None`: an unknown one).
fn identity_of(q: &HashMap<String, String>) -> Option<&'static str> {
    let named = [
        "client_id",
        "clientid",
        "object_id",
        "principal_id",
        "msi_res_id",
        "mi_res_id",
    ]
    .iter()
    .find_map(|k| q.get(*k));
    match named.map(String::as_str) {
        None => Some(MANAGED_IDENTITY_CLIENT_ID),
        Some(USER_ASSIGNED_CLIENT_ID | USER_ASSIGNED_OBJECT_ID | USER_ASSIGNED_RESOURCE_ID) => {
            Some(USER_ASSIGNED_CLIENT_ID)
        }
        Some(_) => None,
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Routes of this module; `None` for everything else.
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
pub(crate) fn dispatch(
    sh: &Shared,
    t: &mut Tenant,
    method: &Method,
    segs: &[&str],
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Answer> {
    let now = t.now;
    let q = url_decode_pairs(query);
    let graph = "https://graph.microsoft.com";
    let resource_ok = |r: Option<&String>| r.is_some_and(|r| r.trim_end_matches('/') == graph);
    let metadata = header(headers, "metadata") == Some("true");
    match (method, segs) {
        (&Method::GET, ["msi", "token"]) => {
            if header(headers, "x-identity-header") != Some(IDENTITY_HEADER) {
                return Some(answer(
                    StatusCode::UNAUTHORIZED,
                    json!({"statusCode": 401, "message": "Unauthorized: the X-IDENTITY-HEADER is missing or wrong."}),
                ));
            }
            if q.get("api-version").map(String::as_str) != Some("2019-08-01") {
                return Some(answer(
                    StatusCode::BAD_REQUEST,
                    json!({"statusCode": 400, "message": "api-version must be 2019-08-01"}),
                ));
            }
            Some(mi_token(t, &q, resource_ok(q.get("resource")), false))
        }
        (&Method::GET, ["msi", "legacy"]) => {
            if header(headers, "secret") != Some(LEGACY_MSI_SECRET) {
                return Some(answer(
                    StatusCode::UNAUTHORIZED,
                    json!({"error": "unauthorized", "message": "secret header missing or wrong"}),
                ));
            }
            Some(mi_token(t, &q, resource_ok(q.get("resource")), true))
        }
        (&Method::GET, ["metadata", "identity", "oauth2", "token"]) => {
            if !metadata {
                return Some(answer(
                    StatusCode::BAD_REQUEST,
                    json!({"error": "invalid_request", "error_description": "Required metadata header not specified"}),
                ));
            }
            if !q.contains_key("api-version") {
                return Some(answer(
                    StatusCode::BAD_REQUEST,
                    json!({"error": "invalid_request", "error_description": "api-version is required"}),
                ));
            }
            Some(mi_token(t, &q, resource_ok(q.get("resource")), false))
        }
        (&Method::GET, ["arc", "token"]) => {
            if !metadata {
                return Some(answer(
                    StatusCode::BAD_REQUEST,
                    json!({"error": "invalid_request", "error_description": "Required metadata header not specified"}),
                ));
            }
            let presented = header(headers, "authorization").and_then(|a| a.strip_prefix("Basic "));
            let expected = lock(&sh.identity.arc_key).clone();
            match (presented, expected) {
                (Some(p), Some(k)) if p == k => {
                    let mut a = mi_token(t, &q, resource_ok(q.get("resource")), false);
                    if let Some(id) = q.get("client_id") {
                        a.body["client_id"] = json!(id);
                    }
                    Some(a)
                }
                (Some(_), _) => Some(answer(
                    StatusCode::UNAUTHORIZED,
                    json!({"error": "unauthorized_client", "error_description": "the key does not match"}),
                )),
                (None, _) => {
                    let dir = arc_dir(sh);
                    let key = uuid::Uuid::new_v4().simple().to_string();
                    let path = dir.join(format!("{}.key", uuid::Uuid::new_v4().simple()));
                    if std::fs::create_dir_all(&dir)
                        .and_then(|()| std::fs::write(&path, &key))
                        .is_err()
                    {
                        return Some(answer(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            json!({"error": "unknown", "error_description": "cannot write the key file"}),
                        ));
                    }
                    *lock(&sh.identity.arc_key) = Some(key);
                    let mut a = answer(StatusCode::UNAUTHORIZED, Value::Null);
                    a.headers.push((
                        "www-authenticate",
                        format!("Basic realm={}", path.display()),
                    ));
                    Some(a)
                }
            }
        }
        (&Method::POST, ["cloudshell", "token"]) => {
            if !metadata {
                return Some(answer(
                    StatusCode::BAD_REQUEST,
                    json!({"error": {"code": "BadRequest", "message": "Metadata header required"}}),
                ));
            }
            let form = url_decode_pairs(&String::from_utf8_lossy(body));
            Some(mi_token(
                t,
                &HashMap::new(),
                resource_ok(form.get("resource")),
                false,
            ))
        }
        (&Method::GET, ["_github", "idtoken"]) => {
            if bearer(headers).as_deref() != Some(GITHUB_REQUEST_TOKEN) {
                return Some(answer(
                    StatusCode::UNAUTHORIZED,
                    json!({"message": "Bad credentials"}),
                ));
            }
            let audience = q
                .get("audience")
                .cloned()
                .unwrap_or_else(|| "https://github.com/contoso".into());
            let jwt = sign_jwt(
                &issuer(sh),
                GITHUB_SUBJECT,
                &audience,
                now,
                Duration::minutes(5),
            );
            Some(match jwt {
                Some(jwt) => answer(StatusCode::OK, json!({"count": 1, "value": jwt})),
                None => answer(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"message": "signing failed"}),
                ),
            })
        }
        (&Method::GET, ["_oidc", ".well-known", "openid-configuration"]) => {
            let iss = issuer(sh);
            Some(answer(
                StatusCode::OK,
                json!({"issuer": iss, "jwks_uri": format!("{iss}/keys"),
                "id_token_signing_alg_values_supported": ["RS256"]}),
            ))
        }
        (&Method::GET, ["_oidc", "keys"]) => Some(answer(StatusCode::OK, jwks())),
        (&Method::POST, [tenant, "oauth2", "v2.0", "devicecode"]) => {
            if *tenant != sh.tenant_id && *tenant != "organizations" {
                return Some(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    90002,
                    "Tenant not found.",
                    now,
                ));
            }
            let form = url_decode_pairs(&String::from_utf8_lossy(body));
            if form.get("client_id").map(String::as_str) != Some(PUBLIC_CLIENT_ID) {
                return Some(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unauthorized_client",
                    700016,
                    "Application not found in the directory.",
                    now,
                ));
            }
            let code = format!("sim-device-{}", uuid::Uuid::new_v4().simple());
            lock(&sh.identity.device_codes).insert(code.clone(), 0);
            Some(answer(
                StatusCode::OK,
                json!({
                "device_code": code, "user_code": "SIMCODE42",
                "verification_uri": "https://microsoft.com/devicelogin",
                "expires_in": 900, "interval": 5,
                "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code SIMCODE42 to authenticate."}),
            ))
        }
        (&Method::POST, [tenant, "oauth2", "v2.0", "token"]) if *tenant == sh.tenant_id => {
            token_grants(sh, t, body)
        }
        (_, ["v1.0", "servicePrincipals", rest @ ..]) => {
            Some(service_principals(sh, t, method, rest, &q, headers, body))
        }
        _ => None,
    }
}

fn mi_token(
    t: &mut Tenant,
    q: &HashMap<String, String>,
    resource_ok: bool,
    legacy: bool,
) -> Answer {
    if !resource_ok {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_resource", "error_description": "AADSTS500011: The resource principal named was not found in the tenant."}),
        );
    }
    let Some(client_id) = identity_of(q) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_request", "error_description": "Identity not found"}),
        );
    };
    let (token, expires) = issue(t, client_id, false);
    let expires_on = if legacy {
        json!(expires.format("%-m/%-d/%Y %-I:%M:%S %p +00:00").to_string())
    } else {
        json!(expires.timestamp().to_string())
    };
    answer(
        StatusCode::OK,
        json!({
            "access_token": token,
            "refresh_token": "",
            "expires_in": t.token_lifetime.to_string(),
            "expires_on": expires_on,
            "not_before": t.now.timestamp().to_string(),
            "resource": "https://graph.microsoft.com",
            "token_type": "Bearer",
            "client_id": client_id,
        }),
    )
}

/// Device code, refresh token and federated assertion grants; `None` for the others.
fn token_grants(sh: &Shared, t: &mut Tenant, body: &[u8]) -> Option<Answer> {
    let now = t.now;
    let form = url_decode_pairs(&String::from_utf8_lossy(body));
    let get = |k: &str| form.get(k).map(String::as_str);
    let delegated = |t: &mut Tenant| {
        let (token, _) = issue(t, PUBLIC_CLIENT_ID, false);
        let refresh = format!("sim-refresh-{}", uuid::Uuid::new_v4().simple());
        lock(&sh.identity.refresh_tokens).push(refresh.clone());
        answer(
            StatusCode::OK,
            json!({"token_type": "Bearer", "scope": "https://graph.microsoft.com/.default",
            "expires_in": t.token_lifetime, "access_token": token, "refresh_token": refresh}),
        )
    };
    match get("grant_type") {
        Some("urn:ietf:params:oauth:grant-type:device_code") => {
            let code = get("device_code").unwrap_or("");
            let mut codes = lock(&sh.identity.device_codes);
            let Some(polls) = codes.get_mut(code) else {
                return Some(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "bad_verification_code",
                    70018,
                    "Invalid verification code.",
                    now,
                ));
            };
            *polls += 1;
            if *polls < 2 {
                return Some(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "authorization_pending",
                    70016,
                    "The user has not yet completed sign-in.",
                    now,
                ));
            }
            codes.remove(code);
            drop(codes);
            Some(delegated(t))
        }
        Some("refresh_token") => {
            let presented = get("refresh_token").unwrap_or("").to_owned();
            let mut known = lock(&sh.identity.refresh_tokens);
            let Some(i) = known.iter().position(|r| *r == presented) else {
                return Some(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    70008,
                    "The refresh token has expired or was revoked.",
                    now,
                ));
            };
            known.remove(i);
            drop(known);
            Some(delegated(t))
        }
        Some("client_credentials") if get("client_id") == Some(FEDERATED_CLIENT_ID) => {
            if get("scope") != Some("https://graph.microsoft.com/.default") {
                return Some(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    1002012,
                    "The provided value for scope is not valid.",
                    now,
                ));
            }
            if get("client_assertion_type")
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                return Some(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_client",
                    700025,
                    "client_assertion_type must be jwt-bearer.",
                    now,
                ));
            }
            if let Err((code, aadsts, text)) =
                verify_federated(sh, get("client_assertion").unwrap_or(""), now)
            {
                return Some(oauth_error(
                    StatusCode::BAD_REQUEST,
                    code,
                    aadsts,
                    text,
                    now,
                ));
            }
            let (token, _) = issue(t, FEDERATED_CLIENT_ID, false);
            Some(answer(
                StatusCode::OK,
                json!({"token_type": "Bearer", "expires_in": t.token_lifetime,
                "ext_expires_in": t.token_lifetime, "access_token": token}),
            ))
        }
        _ => None,
    }
}

fn issuer(sh: &Shared) -> String {
    format!("http://{}/_oidc", sh.addr)
}

fn arc_dir(sh: &Shared) -> PathBuf {
    lock(&sh.identity.arc_dir)
        .get_or_insert_with(|| {
            std::env::temp_dir().join(format!(
                "intune-apple-sim-arc-{}-{}",
                std::process::id(),
                sh.addr.port()
            ))
        })
        .clone()
}

fn issuer_key() -> Option<rsa::RsaPrivateKey> {
    use rsa::pkcs8::DecodePrivateKey as _;
    let b64: String = ISSUER_KEY_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    rsa::RsaPrivateKey::from_pkcs8_der(&der).ok()
}

fn jwks() -> Value {
    use rsa::traits::PublicKeyParts as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    match issuer_key() {
        Some(k) => json!({"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KEY_ID,
            "n": b64.encode(k.n().to_bytes_be()), "e": b64.encode(k.e().to_bytes_be())}]}),
        None => json!({"keys": []}),
    }
}

/// An RS256 JWT of the simulator's issuer.
fn sign_jwt(
    iss: &str,
    sub: &str,
    aud: &str,
    now: DateTime<Utc>,
    lifetime: Duration,
) -> Option<String> {
    use sha2::Digest as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": KEY_ID});
    let issued = now.timestamp();
    let exp = (now + lifetime).timestamp();
    let nbf = issued.min(exp);
    let claims = json!({"iss": iss, "sub": sub, "aud": aud, "iat": nbf, "nbf": nbf, "exp": exp,
        "jti": uuid::Uuid::new_v4().to_string()});
    let input = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string())
    );
    let hashed = sha2::Sha256::digest(input.as_bytes());
    let sig = issuer_key()?
        .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed)
        .ok()?;
    Some(format!("{input}.{}", b64.encode(sig)))
}

/// Checks a federated assertion against the published key and the app's federated credentials.
fn verify_federated(
    sh: &Shared,
    jwt: &str,
    now: DateTime<Utc>,
) -> Result<(), (&'static str, u32, &'static str)> {
    use sha2::Digest as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bad = (
        "invalid_client",
        700_027,
        "Client assertion failed signature validation.",
    );
    let mut parts = jwt.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err((
            "invalid_client",
            50_027,
            "The client assertion is not a valid JWT.",
        ));
    };
    let claims: Value = b64
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(bad)?;
    let sig = b64.decode(s).map_err(|_| bad)?;
    let key = issuer_key().ok_or(bad)?;
    let hashed = sha2::Sha256::digest(format!("{h}.{p}").as_bytes());
    rsa::RsaPublicKey::from(&key)
        .verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &hashed, &sig)
        .map_err(|_| bad)?;
    let text = |k: &str| claims.get(k).and_then(Value::as_str).unwrap_or("");
    if text("iss") != issuer(sh) {
        return Err((
            "invalid_request",
            700_211,
            "No matching federated identity record found for presented assertion issuer.",
        ));
    }
    if text("sub") != K8S_SUBJECT && text("sub") != GITHUB_SUBJECT {
        return Err((
            "invalid_request",
            70_021,
            "No matching federated identity record found for presented assertion.",
        ));
    }
    if text("aud") != FEDERATED_AUDIENCE {
        return Err((
            "invalid_request",
            700_212,
            "No matching federated identity record found for presented assertion audience.",
        ));
    }
    let num = |k: &str| claims.get(k).and_then(Value::as_i64);
    let t = now.timestamp();
    if num("exp").is_none_or(|e| e <= t) || num("nbf").is_some_and(|n| n > t + 300) {
        return Err((
            "invalid_client",
            700_024,
            "Client assertion is not within its valid time range.",
        ));
    }
    Ok(())
}

fn sp_json(id: &str, app_id: &str, name: &str, kind: &str) -> Value {
    json!({"id": id, "appId": app_id, "displayName": name, "servicePrincipalType": kind,
        "accountEnabled": true})
}

fn service_principal(id: &str) -> Option<Value> {
    match id {
        GRAPH_SERVICE_PRINCIPAL_ID => {
            let mut sp = sp_json(id, GRAPH_APP_ID, "Microsoft Graph", "Application");
            sp["appRoles"] = GRAPH_ROLES
                .iter()
                .map(|(value, role)| {
                    json!({"id": role, "value": value, "isEnabled": true,
                    "allowedMemberTypes": ["Application"], "displayName": value})
                })
                .collect();
            Some(sp)
        }
        MANAGED_IDENTITY_OBJECT_ID => Some(sp_json(
            id,
            MANAGED_IDENTITY_CLIENT_ID,
            "intune-apple-automation",
            "ManagedIdentity",
        )),
        USER_ASSIGNED_OBJECT_ID => Some(sp_json(
            id,
            USER_ASSIGNED_CLIENT_ID,
            "intune-apple",
            "ManagedIdentity",
        )),
        _ => None,
    }
}

fn graph_error(status: StatusCode, code: &str, message: &str, now: DateTime<Utc>) -> Answer {
    Answer::error(status, code, message, now)
}

#[allow(clippy::too_many_lines)]
fn service_principals(
    sh: &Shared,
    t: &mut Tenant,
    method: &Method,
    rest: &[&str],
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Answer {
    let now = t.now;
    let token = bearer(headers);
    let info = token.as_ref().and_then(|tk| t.tokens.get(tk));
    let Some(info) = info.filter(|i| i.expires > now) else {
        return graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty or expired.",
            now,
        );
    };
    let may_write =
        !info.read_only && [crate::CLIENT_ID, PUBLIC_CLIENT_ID].contains(&info.client_id);
    match (method, rest) {
        (&Method::GET, []) => {
            let filter = q.get("$filter").cloned().unwrap_or_default();
            let value: Vec<Value> = [GRAPH_SERVICE_PRINCIPAL_ID, MANAGED_IDENTITY_OBJECT_ID, USER_ASSIGNED_OBJECT_ID]
                .iter()
                .filter_map(|id| service_principal(id))
                .filter(|sp| {
                    filter.is_empty()
                        || sp["appId"].as_str().is_some_and(|a| filter == format!("appId eq '{a}'"))
                })
                .collect();
            Answer::ok(json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals", "value": value}))
        }
        (&Method::GET, [id]) => match service_principal(id) {
            Some(sp) => Answer::ok(sp),
            None => graph_error(StatusCode::NOT_FOUND, "Request_ResourceNotFound", &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."), now),
        },
        (&Method::GET, [id, "appRoleAssignments"]) => {
            if service_principal(id).is_none() {
                return graph_error(StatusCode::NOT_FOUND, "Request_ResourceNotFound", "Resource does not exist.", now);
            }
            let value: Vec<Value> = lock(&sh.identity.assignments)
                .iter()
                .filter(|a| a["principalId"] == json!(id))
                .cloned()
                .collect();
            Answer::ok(json!({"value": value}))
        }
        (&Method::POST, [id, "appRoleAssignments"]) => {
            if !may_write {
                return graph_error(StatusCode::FORBIDDEN, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", now);
            }
            let Some(principal) = service_principal(id) else {
                return graph_error(StatusCode::NOT_FOUND, "Request_ResourceNotFound", "Resource does not exist.", now);
            };
            let Ok(b) = serde_json::from_slice::<Value>(body) else {
                return graph_error(StatusCode::BAD_REQUEST, "Request_BadRequest", "The body is not JSON.", now);
            };
            let role = b["appRoleId"].as_str().unwrap_or("");
            if b["principalId"] != json!(id)
                || b["resourceId"] != json!(GRAPH_SERVICE_PRINCIPAL_ID)
                || !GRAPH_ROLES.iter().any(|(_, r)| *r == role)
            {
                return graph_error(StatusCode::BAD_REQUEST, "Request_BadRequest", "Invalid principalId, resourceId or appRoleId.", now);
            }
            let mut all = lock(&sh.identity.assignments);
            if all.iter().any(|a| a["principalId"] == json!(id) && a["appRoleId"] == json!(role)) {
                return graph_error(StatusCode::BAD_REQUEST, "Request_BadRequest", "Permission being assigned already exists on the object", now);
            }
            let assignment = json!({
                "id": uuid::Uuid::new_v4().to_string(),
                "createdDateTime": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "appRoleId": role,
                "principalDisplayName": principal["displayName"],
                "principalId": id,
                "principalType": "ServicePrincipal",
                "resourceDisplayName": "Microsoft Graph",
                "resourceId": GRAPH_SERVICE_PRINCIPAL_ID,
            });
            all.push(assignment.clone());
            let mut a = answer(StatusCode::CREATED, assignment);
            a.write = true;
            a
        }
        _ => Answer::not_found(now),
    }
}

impl SimHandle {
    /// The directory the simulated Arc agent writes its key files to (give it to the client as
    /// the Arc tokens directory).
    #[must_use]
    pub fn arc_tokens_dir(&self) -> PathBuf {
        let dir = arc_dir(&self.shared);
        let _ = std::fs::create_dir_all(&dir);
        dir
    }

    /// The simulator's OIDC issuer (`{base}/_oidc`), whose tokens [`FEDERATED_CLIENT_ID`]
    /// trusts.
    #[must_use]
    pub fn oidc_issuer(&self) -> String {
        issuer(&self.shared)
    }

    /// A federated token of the simulator's issuer for `subject` (e.g. [`K8S_SUBJECT`]),
    /// audience [`FEDERATED_AUDIENCE`], valid for `lifetime` on the logical clock (negative:
    /// already expired), as Kubernetes projects into `AZURE_FEDERATED_TOKEN_FILE`.
    #[must_use]
    pub fn federated_token(&self, subject: &str, lifetime: Duration) -> String {
        let now = self.now();
        sign_jwt(
            &self.oidc_issuer(),
            subject,
            FEDERATED_AUDIENCE,
            now,
            lifetime,
        )
        .unwrap_or_default()
    }

    /// The GitHub-style ID-token request URL (`ACTIONS_ID_TOKEN_REQUEST_URL`).
    #[must_use]
    pub fn github_id_token_url(&self) -> String {
        format!("{}/_github/idtoken?api-version=2.0", self.base_url())
    }

    /// A valid access token of the read-write application, as a fake `az` or a binding test's
    /// own credential object would hand over.
    #[must_use]
    pub fn issue_token(&self) -> String {
        issue(&mut lock(&self.shared.tenant), crate::CLIENT_ID, false).0
    }

    /// How many token requests the simulator has answered: the token endpoint, the device code
    /// endpoint and every managed-identity endpoint.
    #[must_use]
    pub fn token_requests(&self) -> usize {
        self.request_log()
            .iter()
            .filter(|e| {
                let path = e.path.split('?').next().unwrap_or("");
                path.ends_with("/oauth2/v2.0/token")
                    || path.ends_with("/oauth2/v2.0/devicecode")
                    || [
                        "/msi/token",
                        "/msi/legacy",
                        "/metadata/identity/oauth2/token",
                        "/arc/token",
                        "/cloudshell/token",
                    ]
                    .contains(&path)
            })
            .count()
    }

    /// The app role assignments made so far (`principalId`, `appRoleId`, ...).
    #[must_use]
    pub fn app_role_assignments(&self) -> Vec<Value> {
        lock(&self.shared.identity.assignments).clone()
    }
}
