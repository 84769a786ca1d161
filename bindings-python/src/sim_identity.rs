//! The simulator's identity side for Python tests: the managed-identity endpoint and header,
//! federated tokens of its issuer, the GitHub-style ID-token endpoint, and the count of token
//! requests (in `tests/test_credentials.py`).

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

    /// How many token requests the simulator has answered.
    fn token_requests(&self) -> usize {
        self.handle.token_requests()
    }

    /// A valid access token of the read-write application.
    fn issue_token(&self) -> String {
        self.handle.issue_token()
    }
}
