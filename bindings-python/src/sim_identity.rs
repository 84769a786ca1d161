//! The simulator's identity side for Python tests: the managed-identity endpoint and header,
//! federated tokens of its issuer, the GitHub-style ID-token endpoint, and the count of token
//! requests (in `tests/test_credentials.py` and `tests/test_credentials_own.py`).

use pyo3::prelude::*;

use crate::sim::NativeSimulator;

#[pymethods]
impl NativeSimulator {
    /// `IDENTITY_ENDPOINT` of the simulated App Service host.
    #[getter]
    fn identity_endpoint(&self) -> String {
        format!("{}/msi/token", self.handle.base_url())
    }

    /// `IDENTITY_HEADER` of the simulated App Service host (test-only secret).
    #[getter]
    fn identity_header(&self) -> &'static str {
        intune_apple_sim::IDENTITY_HEADER
    }

    /// The application trusting the simulator's federated tokens.
    #[getter]
    fn federated_client_id(&self) -> &'static str {
        intune_apple_sim::FEDERATED_CLIENT_ID
    }

    /// A federated token for the Kubernetes service account the federated application trusts,
    /// valid for `seconds` on the logical clock (negative: expired).
    fn federated_token(&self, seconds: i64) -> String {
        self.handle.federated_token(
            intune_apple_sim::K8S_SUBJECT,
            chrono::Duration::try_seconds(seconds).unwrap_or_default(),
        )
    }

    /// `ACTIONS_ID_TOKEN_REQUEST_URL` of the simulated GitHub Actions runner.
    #[getter]
    fn github_id_token_url(&self) -> String {
        self.handle.github_id_token_url()
    }

    /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN` of the simulated runner (test-only secret).
    #[getter]
    fn github_request_token(&self) -> &'static str {
        intune_apple_sim::GITHUB_REQUEST_TOKEN
    }

    /// The tenant's own public client app (device code sign-in).
    #[getter]
    fn public_client_id(&self) -> &'static str {
        intune_apple_sim::PUBLIC_CLIENT_ID
    }

    /// `(client_id, object_id, resource_id)` of the user-assigned identity the simulated hosts
    /// have besides their system-assigned one.
    fn user_assigned_identity(&self) -> (&'static str, &'static str, &'static str) {
        (
            intune_apple_sim::USER_ASSIGNED_CLIENT_ID,
            intune_apple_sim::USER_ASSIGNED_OBJECT_ID,
            intune_apple_sim::USER_ASSIGNED_RESOURCE_ID,
        )
    }

    /// How many token requests the simulator has answered.
    fn token_requests(&self) -> usize {
        self.handle.token_requests()
    }

    /// A valid access token of the read-write application.
    fn issue_token(&self) -> String {
        self.handle.issue_token()
    }
}
