//! The identity platform's refusals, code by code, with what to do about each.

/// What an `AADSTS` error code means for this library's sign-in, and the fix, when the code is
/// one an admin meets while setting it up.
///
/// ```
/// use intune_apple_core::graph::explain_aadsts;
/// assert!(explain_aadsts(7_000_215).unwrap().contains("Value"));
/// assert!(explain_aadsts(1).is_none());
/// ```
#[must_use]
pub fn explain_aadsts(code: u32) -> Option<&'static str> {
    Some(match code {
        7_000_215 => {
            "The client secret is wrong. Use the secret's Value (shown once, when the secret is \
             created under App registrations > Certificates & secrets), not its Secret ID; if the \
             value was lost, create a new secret and update AZURE_CLIENT_SECRET."
        }
        7_000_222 => {
            "The client secret has expired. Create a new one (App registrations > Certificates & \
             secrets) and update AZURE_CLIENT_SECRET, or move to a certificate, a managed \
             identity or workload identity federation, which do not expire this way."
        }
        700_016 => {
            "No application with this client id exists in this tenant, or it was never consented \
             there. Check AZURE_CLIENT_ID and AZURE_TENANT_ID (a multi-tenant app needs admin \
             consent in this tenant: an enterprise application must exist for it)."
        }
        90_002 => {
            "No such tenant. Check AZURE_TENANT_ID (the directory id, or a verified domain), and \
             that AZURE_AUTHORITY_HOST / INTUNE_APPLE_CLOUD match the tenant's cloud (global, US \
             Government, China)."
        }
        7_000_229 => {
            "The application has no service principal in this tenant: admin consent is missing. \
             Grant admin consent (App registrations > API permissions > Grant admin consent), or \
             create the enterprise application with `az ad sp create --id <client id>`."
        }
        700_027 => {
            "The client assertion's signature does not verify: the certificate that signed it is \
             not registered on the app (upload its public part under Certificates & secrets), or \
             for a federated credential the issuer's signing keys do not match its issuer URL."
        }
        700_024 => {
            "The client assertion is outside its time window: the federated token has expired or \
             is not yet valid. Check the machine's clock; a federated token file must be renewed \
             by its issuer (the Kubernetes projected token, a fresh GitHub ID token)."
        }
        65_001 => {
            "Consent is missing for the permissions asked. An admin grants consent to the app \
             (App registrations > API permissions > Grant admin consent); for a device-code \
             sign-in, the signed-in user needs it too."
        }
        500_011 => {
            "The resource (Microsoft Graph) has no service principal in this tenant, or the scope \
             is misspelt. Use exactly https://graph.microsoft.com/.default, in the tenant's own \
             cloud."
        }
        700_211 | 70_021 => {
            "No federated identity credential on the app matches the token: check the federated \
             credential's issuer, subject (e.g. system:serviceaccount:<namespace>:<account>, or \
             repo:<org>/<repo>:ref:refs/heads/<branch>) and audience api://AzureADTokenExchange."
        }
        7_000_218 => {
            "A device-code sign-in needs a public client: set \"Allow public client flows\" to Yes \
             on the app registration (Authentication)."
        }
        _ => return None,
    })
}

/// The message of [`super::CredentialError::Rejected`].
pub(crate) fn rejected_message(code: &str, description: &str, aadsts: Option<u32>) -> String {
    let fix = aadsts.and_then(explain_aadsts).unwrap_or(
        "Check the tenant id, client id and secret or certificate of the app registration, and \
         that the secret or certificate has not expired.",
    );
    format!("the identity platform refused the token request ({code}): {description}. {fix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_setup_is_explained() {
        for code in [
            7_000_215, 7_000_222, 700_016, 90_002, 7_000_229, 700_027, 700_024, 65_001, 500_011,
        ] {
            let text = explain_aadsts(code).unwrap();
            assert!(text.len() > 60, "{code}");
        }
        assert!(explain_aadsts(7_000_222).unwrap().contains("expired"));
        assert!(explain_aadsts(7_000_229).unwrap().contains("consent"));
        assert!(explain_aadsts(700_024).unwrap().contains("time window"));
    }

    #[test]
    fn the_message_carries_the_fix() {
        let m = rejected_message("invalid_client", "AADSTS7000215: Invalid", Some(7_000_215));
        assert!(m.contains("not its Secret ID"), "{m}");
        let m = rejected_message("invalid_client", "AADSTS1: other", Some(1));
        assert!(m.contains("Check the tenant id"), "{m}");
    }
}
