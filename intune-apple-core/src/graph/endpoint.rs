//! What the client accepts as an endpoint and as a request path, checked before anything is
//! sent: bearer tokens and client secrets travel only over TLS (plain `http://` only to this
//! machine, or when the caller opts in), never inside a URL's user information, and an id can
//! never turn a request into one for another resource.

use url::{Host, Url};

/// Why `url` (the Graph root or the token authority, named `what`) may not be used, if so.
///
/// Refused: a scheme other than `https` (plain `http` is accepted for a loopback host, or for
/// any host with `allow_http`), no host, and a user name or password in the URL (it would be
/// sent to every proxy and written to logs).
pub(crate) fn check_endpoint(what: &str, url: &Url, allow_http: bool) -> Result<(), String> {
    if url.host().is_none() {
        return Err(format!("the {what} must be https://host[:port]"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "the {what} holds a user name or password: remove it from the URL (credentials go in the credential, never in a URL)"
        ));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http || is_loopback(url) => Ok(()),
        "http" => Err(format!(
            "the {what} uses plain http:// to {}: tokens would cross the network in clear; use https://, or allow plain http explicitly (ClientBuilder::allow_insecure_http) for a trusted test proxy",
            url.host_str().unwrap_or_default()
        )),
        other => Err(format!(
            "the {what} uses the scheme {other}: it must be https://host[:port]"
        )),
    }
}

/// Whether `url` points at this machine (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Why `tenant_id` may not go into the token URL, if so: it must be a tenant GUID, a domain
/// name (`contoso.onmicrosoft.com`) or `organizations`/`common`: letters, digits, `-`, `.`,
/// `_`, at most 256 characters, and not `.` or `..`.
pub(crate) fn check_tenant_id(tenant_id: &str) -> Result<(), String> {
    let ok = !tenant_id.is_empty()
        && tenant_id.len() <= 256
        && tenant_id != "."
        && tenant_id != ".."
        && tenant_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if ok {
        Ok(())
    } else if tenant_id.is_empty() {
        Err("the tenant id is empty (set AZURE_TENANT_ID)".into())
    } else {
        Err("the tenant id is not a tenant GUID or domain name (only letters, digits, '-', '.' and '_'): check AZURE_TENANT_ID".into())
    }
}

/// Why a request path may not be sent, if so: an empty segment (an empty id) or a `.` / `..`
/// segment (plain or percent-encoded), which the URL rules would resolve to another resource
/// (`vppTokens/..` is the parent collection).
pub(crate) fn check_path(path: &str) -> Result<(), String> {
    let path = path.split('?').next().unwrap_or_default();
    let bad = path
        .strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .any(|segment| {
            let s = segment.to_ascii_lowercase().replace("%2e", ".");
            s.is_empty() || s == "." || s == ".."
        });
    if bad {
        return Err("an id in the request is empty, '.' or '..': give the id of the resource (list the resources to find it)".into());
    }
    let longest = path.split('/').map(str::len).max().unwrap_or_default();
    if longest > MAX_SEGMENT {
        return Err(format!(
            "an id in the request is {longest} characters long (encoded): Graph's ids are GUIDs or a few of them joined, far below {MAX_SEGMENT}; check the id (list the resources to find it)"
        ));
    }
    Ok(())
}

/// The longest path segment sent (an id, encoded). Graph's ids here are GUIDs, or composites
/// such as `ECV2_<tokenId>_<policyId>` (83 characters); a longer one is a caller's mistake,
/// refused before it reaches the network (whose URI limit would answer it less clearly).
const MAX_SEGMENT: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn over_long_ids_are_refused_before_the_network() {
        assert!(check_path(&format!("/beta/x/{}", "a".repeat(1024))).is_ok());
        let e = check_path(&format!("/beta/x/{}/y", "a".repeat(100_000))).unwrap_err();
        assert!(e.contains("100000 characters long"), "{e}");
        // the query is not a segment
        assert!(check_path(&format!("/beta/x?$filter={}", "a".repeat(5000))).is_ok());
    }

    #[test]
    fn plain_http_only_to_this_machine_or_when_allowed() {
        for ok in [
            "https://graph.microsoft.com/",
            "http://127.0.0.1:8080/",
            "http://127.1.2.3/",
            "http://[::1]:9/",
            "http://localhost:3000/",
        ] {
            assert!(check_endpoint("Graph URL", &url(ok), false).is_ok(), "{ok}");
        }
        let e = check_endpoint("Graph URL", &url("http://proxy.example/"), false).unwrap_err();
        assert!(e.contains("allow_insecure_http"), "{e}");
        assert!(check_endpoint("Graph URL", &url("http://proxy.example/"), true).is_ok());
        assert!(check_endpoint("Graph URL", &url("ftp://graph.example/"), true).is_err());
        let e =
            check_endpoint("Graph URL", &url("https://user:pw@graph.example/"), false).unwrap_err();
        assert!(!e.contains("pw"), "{e}");
        assert!(check_endpoint("authority", &url("https://user@login.example/"), false).is_err());
    }

    #[test]
    fn tenant_ids_are_guids_or_domains() {
        for ok in [
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "contoso.onmicrosoft.com",
            "organizations",
        ] {
            assert!(check_tenant_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "x?y=1",
            "contoso#",
            "a b",
            "../../evil",
        ] {
            assert!(check_tenant_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn empty_and_dot_segments_are_refused() {
        assert!(check_path("/deviceAppManagement/vppTokens/abc").is_ok());
        assert!(check_path("/deviceAppManagement/vppTokens/a.b").is_ok());
        for bad in [
            "/deviceAppManagement/vppTokens/",
            "/deviceAppManagement/vppTokens/..",
            "/deviceAppManagement/vppTokens/.",
            "/deviceAppManagement/vppTokens/%2E%2e",
            "/deviceManagement/depOnboardingSettings//enrollmentProfiles",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
