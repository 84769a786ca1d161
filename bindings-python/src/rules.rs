//! The pure rules of the core: token health, sync throttling, profile validation, guidance.
//! Each function takes `now` (the Python face fills it in when omitted).

use chrono::{DateTime, Utc};
use intune_apple_core::rules::{
    self, guidance::Guidance, health::Window, HealthThresholds, Locale, Problem, Severity,
    SyncDecision, SyncKind, SyncPolicy, SyncTimes, TokenHealth, TokenKind, ValidationContext,
    Violation, ViolationSeverity,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::client::from_graph_json;
use crate::errors::invalid_input;
use intune_apple_core::model::MobileAppAssignment;
use intune_apple_core::rules::duplicates as dup;

use crate::models::{
    enum_member, Field, PyApplePushNotificationCertificate, PyBaseEnrollmentProfile,
    PyDepEnrollmentProfile, PyDepIosEnrollmentProfile, PyDepMacOsEnrollmentProfile,
    PyDepOnboardingSetting, PyIosVppApp, PyMacOsVppApp, PyMobileAppAssignment, PyVppToken,
};

/// The core's one locale parser; an unknown name is `InvalidInputError`, as in Node.
pub(crate) fn locale(name: &str) -> PyResult<Locale> {
    Locale::parse(name).map_err(|e| invalid_input(e.to_string()))
}

fn kind_from(name: &str) -> PyResult<TokenKind> {
    match name {
        "push_certificate" => Ok(TokenKind::PushCertificate),
        "enrollment_program_token" => Ok(TokenKind::EnrollmentProgramToken),
        "vpp_token" => Ok(TokenKind::VppToken),
        _ => Err(invalid_input(
            "kind must be push_certificate, enrollment_program_token or vpp_token",
        )),
    }
}

pub(crate) fn severity(py: Python<'_>, s: Severity) -> PyResult<Py<PyAny>> {
    static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    enum_member(py, &CLASS, "intune_apple.rules", "Severity", s.code())
}

pub(crate) fn token_kind(py: Python<'_>, k: TokenKind) -> PyResult<Py<PyAny>> {
    static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    enum_member(py, &CLASS, "intune_apple.rules", "TokenKind", k.code())
}

/// The same window for every kind, checked by the core (`InvalidInputError` saying what to
/// give: whole days from 0 to 3650, critical at most warning).
pub(crate) fn thresholds(warning_days: i64, critical_days: i64) -> PyResult<HealthThresholds> {
    Window::new(warning_days, critical_days)
        .and_then(HealthThresholds::with_window)
        .map_err(|e| crate::errors::invalid_input(e.to_string()))
}

/// One problem of a credential.
#[pyclass(frozen, module = "intune_apple.rules", name = "Problem")]
pub(crate) struct PyProblem {
    inner: Problem,
}

#[pymethods]
impl PyProblem {
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code
    }
    #[getter]
    fn severity(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        severity(py, self.inner.severity)
    }
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }
    fn __repr__(&self) -> String {
        format!(
            "Problem(code={:?}, severity={:?})",
            self.inner.code,
            self.inner.severity.code()
        )
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Self>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }
}

/// The health of one credential.
#[pyclass(frozen, module = "intune_apple.rules", name = "TokenHealth")]
pub(crate) struct PyTokenHealth {
    pub(crate) inner: TokenHealth,
}

#[pymethods]
impl PyTokenHealth {
    #[getter]
    fn kind(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        token_kind(py, self.inner.kind)
    }
    #[getter]
    fn id(&self) -> Option<&str> {
        self.inner.id.as_deref()
    }
    #[getter]
    fn display_name(&self) -> Option<&str> {
        self.inner.display_name.as_deref()
    }
    #[getter]
    fn apple_id(&self) -> Option<&str> {
        self.inner.apple_id.as_deref()
    }
    #[getter]
    fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.inner.expires_at
    }
    #[getter]
    fn days_left(&self) -> Option<i64> {
        self.inner.days_left
    }
    #[getter]
    fn severity(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        severity(py, self.inner.severity)
    }
    #[getter]
    fn problems(&self) -> Vec<PyProblem> {
        self.inner
            .problems
            .iter()
            .map(|p| PyProblem { inner: p.clone() })
            .collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "TokenHealth(kind={:?}, display_name={:?}, severity={:?}, days_left={:?})",
            self.inner.kind.code(),
            self.inner.display_name,
            self.inner.severity.code(),
            self.inner.days_left
        )
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Self>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }
}

#[pyfunction]
#[pyo3(signature = (certificate, now, warning_days=30, critical_days=7, locale="en"))]
pub(crate) fn push_certificate_health(
    certificate: PyRef<'_, PyApplePushNotificationCertificate>,
    now: DateTime<Utc>,
    warning_days: i64,
    critical_days: i64,
    locale: &str,
) -> PyResult<PyTokenHealth> {
    let inner = rules::push_certificate_health(
        &certificate.inner,
        now,
        &thresholds(warning_days, critical_days)?,
        self::locale(locale)?,
    );
    Ok(PyTokenHealth { inner })
}

#[pyfunction]
#[pyo3(signature = (token, now, warning_days=30, critical_days=7, locale="en"))]
pub(crate) fn enrollment_program_token_health(
    token: PyRef<'_, PyDepOnboardingSetting>,
    now: DateTime<Utc>,
    warning_days: i64,
    critical_days: i64,
    locale: &str,
) -> PyResult<PyTokenHealth> {
    let inner = rules::enrollment_program_token_health(
        &token.inner,
        now,
        &thresholds(warning_days, critical_days)?,
        self::locale(locale)?,
    );
    Ok(PyTokenHealth { inner })
}

#[pyfunction]
#[pyo3(signature = (token, now, warning_days=30, critical_days=7, locale="en"))]
pub(crate) fn vpp_token_health(
    token: PyRef<'_, PyVppToken>,
    now: DateTime<Utc>,
    warning_days: i64,
    critical_days: i64,
    locale: &str,
) -> PyResult<PyTokenHealth> {
    let inner = rules::vpp_token_health(
        &token.inner,
        now,
        &thresholds(warning_days, critical_days)?,
        self::locale(locale)?,
    );
    Ok(PyTokenHealth { inner })
}

/// Whether a sync may start now, and if not, why and when.
#[pyclass(frozen, module = "intune_apple.rules", name = "SyncDecision")]
pub(crate) struct PySyncDecision {
    inner: SyncDecision,
}

#[pymethods]
impl PySyncDecision {
    #[getter]
    fn allowed(&self) -> bool {
        self.inner.is_allowed()
    }
    /// `sync.too_soon`, `sync.in_progress`, `sync.full_sync_too_soon`, or None when allowed.
    #[getter]
    fn reason(&self) -> Option<&'static str> {
        match self.inner {
            SyncDecision::Allowed => None,
            SyncDecision::Denied { reason, .. } => Some(reason.code()),
        }
    }
    #[getter]
    fn next_allowed_at(&self) -> Option<DateTime<Utc>> {
        match self.inner {
            SyncDecision::Allowed => None,
            SyncDecision::Denied {
                next_allowed_at, ..
            } => Some(next_allowed_at),
        }
    }
    fn __bool__(&self) -> bool {
        self.inner.is_allowed()
    }
    fn __repr__(&self) -> String {
        match self.inner {
            SyncDecision::Allowed => "SyncDecision(allowed=True)".to_owned(),
            SyncDecision::Denied {
                reason,
                next_allowed_at,
            } => format!(
                "SyncDecision(allowed=False, reason={:?}, next_allowed_at={})",
                reason.code(),
                next_allowed_at.to_rfc3339()
            ),
        }
    }
}

/// Decides whether a manual (or full) enrollment program token sync is allowed at `now`.
#[pyfunction]
#[pyo3(signature = (now, token=None, *, last_triggered=None, last_successful=None,
    last_full_sync=None, full=false, macos=false))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sync_decision(
    now: DateTime<Utc>,
    token: Option<PyRef<'_, PyDepOnboardingSetting>>,
    last_triggered: Option<DateTime<Utc>>,
    last_successful: Option<DateTime<Utc>>,
    last_full_sync: Option<DateTime<Utc>>,
    full: bool,
    macos: bool,
) -> PySyncDecision {
    let times = match token {
        Some(t) => SyncTimes::from_token(&t.inner, last_full_sync),
        None => SyncTimes {
            last_triggered,
            last_successful,
            last_full: last_full_sync,
        },
    };
    let policy = if macos {
        SyncPolicy::macos()
    } else {
        SyncPolicy::default()
    };
    let kind = if full {
        SyncKind::Full
    } else {
        SyncKind::Delta
    };
    PySyncDecision {
        inner: policy.decide(kind, &times, now),
    }
}

/// One broken rule of an enrollment profile.
#[pyclass(frozen, module = "intune_apple.rules", name = "Violation")]
pub(crate) struct PyViolation {
    inner: Violation,
}

#[pymethods]
impl PyViolation {
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code
    }
    /// `error` or `warning`.
    #[getter]
    fn severity(&self) -> &'static str {
        match self.inner.severity {
            ViolationSeverity::Error => "error",
            ViolationSeverity::Warning => "warning",
        }
    }
    #[getter]
    fn path(&self) -> &'static str {
        self.inner.path
    }
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }
    fn __repr__(&self) -> String {
        format!(
            "Violation(code={:?}, path={:?}, severity={:?})",
            self.inner.code,
            self.inner.path,
            self.severity()
        )
    }
}

fn violations(v: Vec<Violation>) -> Vec<PyViolation> {
    v.into_iter().map(|inner| PyViolation { inner }).collect()
}

/// Every violation of an enrollment profile (an object of this package or Graph JSON).
#[pyfunction]
#[pyo3(signature = (profile, now, vpp_tokens=Vec::new(), profiles_on_token=1))]
pub(crate) fn validate_profile(
    profile: &Bound<'_, PyAny>,
    now: DateTime<Utc>,
    vpp_tokens: Vec<PyRef<'_, PyVppToken>>,
    profiles_on_token: usize,
) -> PyResult<Vec<PyViolation>> {
    use intune_apple_core::model::EnrollmentProfile as P;
    let profile: P = if let Ok(p) = profile.cast::<PyDepIosEnrollmentProfile>() {
        P::DepIos(p.get().inner.clone())
    } else if let Ok(p) = profile.cast::<PyDepMacOsEnrollmentProfile>() {
        P::DepMacOs(p.get().inner.clone())
    } else if let Ok(p) = profile.cast::<PyBaseEnrollmentProfile>() {
        P::DepTvOs(p.get().inner.clone())
    } else if let Ok(p) = profile.cast::<PyDepEnrollmentProfile>() {
        P::DepEnrollmentProfile(p.get().inner.clone())
    } else {
        from_graph_json(profile, "profile")?
    };
    let tokens: Vec<_> = vpp_tokens.iter().map(|t| t.inner.clone()).collect();
    let mut ctx = ValidationContext::new(&tokens, now);
    ctx.profiles_on_token = profiles_on_token;
    Ok(violations(rules::validate_profile(&profile, &ctx)))
}

/// The violations of a device name template alone (rule I13).
#[pyfunction]
pub(crate) fn validate_device_name_template(template: &str) -> Vec<PyViolation> {
    violations(rules::validate_device_name_template(template))
}

/// What happens if a credential lapses, and how to renew it.
#[pyclass(frozen, module = "intune_apple.rules", name = "Guidance")]
pub(crate) struct PyGuidance {
    inner: Guidance,
}

#[pymethods]
impl PyGuidance {
    #[getter]
    fn kind(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        token_kind(py, self.inner.kind)
    }
    #[getter]
    fn consequence(&self) -> &str {
        &self.inner.consequence
    }
    #[getter]
    fn apple_id_note(&self) -> &str {
        &self.inner.apple_id_note
    }
    #[getter]
    fn renewal_steps(&self) -> Vec<String> {
        self.inner.renewal_steps.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "Guidance(kind={:?}, steps={})",
            self.inner.kind.code(),
            self.inner.renewal_steps.len()
        )
    }
}

#[pyfunction]
#[pyo3(signature = (kind, apple_id=None, locale="en"))]
pub(crate) fn guidance(kind: &str, apple_id: Option<&str>, locale: &str) -> PyResult<PyGuidance> {
    Ok(PyGuidance {
        inner: rules::guidance(kind_from(kind)?, apple_id, self::locale(locale)?),
    })
}

fn mobile_app(obj: &Bound<'_, PyAny>) -> Option<intune_apple_core::model::MobileApp> {
    use intune_apple_core::model::MobileApp;
    if let Ok(a) = obj.cast::<PyIosVppApp>() {
        return Some(MobileApp::IosVppApp(a.get().inner.clone()));
    }
    obj.cast::<PyMacOsVppApp>()
        .ok()
        .map(|a| MobileApp::MacOsVppApp(a.get().inner.clone()))
}

fn tokens(list: &[PyRef<'_, PyVppToken>]) -> Vec<intune_apple_core::model::VppToken> {
    list.iter().map(|t| t.inner.clone()).collect()
}

fn assignments(list: &[PyRef<'_, PyMobileAppAssignment>]) -> Vec<MobileAppAssignment> {
    list.iter().map(|a| a.inner.clone()).collect()
}

/// Whether a VPP token can still deliver apps at `now` (valid or a duplicate location, not
/// expired).
#[pyfunction]
pub(crate) fn vpp_token_usable(token: PyRef<'_, PyVppToken>, now: DateTime<Utc>) -> bool {
    dup::is_usable(&token.inner, now)
}

/// Which VPP tokens an other token of the same location supersedes.
#[pyfunction]
pub(crate) fn superseded_tokens(
    py: Python<'_>,
    tokens: Vec<PyRef<'_, PyVppToken>>,
    now: DateTime<Utc>,
) -> PyResult<Py<PyAny>> {
    dup::superseded_tokens(&self::tokens(&tokens), now).to_py(py)
}

/// The apps present under an old and the current token of one location (non-VPP apps are
/// ignored).
#[pyfunction]
pub(crate) fn find_duplicate_apps(
    py: Python<'_>,
    tokens: Vec<PyRef<'_, PyVppToken>>,
    apps: Vec<Bound<'_, PyAny>>,
    now: DateTime<Utc>,
) -> PyResult<Py<PyAny>> {
    let refs: Vec<dup::AppRef> = apps
        .iter()
        .filter_map(mobile_app)
        .filter_map(|a| dup::AppRef::from_app(&a))
        .collect();
    dup::find_duplicates(&self::tokens(&tokens), &refs, now).to_py(py)
}

/// What an assignment targets, as the repair compares them (None for an unknown target).
#[pyfunction]
pub(crate) fn assignment_key(
    py: Python<'_>,
    assignment: PyRef<'_, PyMobileAppAssignment>,
) -> PyResult<Py<PyAny>> {
    dup::assignment_key(&assignment.inner).to_py(py)
}

/// Which of `sources`' assignments to copy onto an app that has `target_current`.
#[pyfunction]
pub(crate) fn plan_assignments(
    py: Python<'_>,
    target_current: Vec<PyRef<'_, PyMobileAppAssignment>>,
    sources: Vec<PyRef<'_, PyMobileAppAssignment>>,
) -> PyResult<Py<PyAny>> {
    dup::plan_assignments(&assignments(&target_current), &assignments(&sources)).to_py(py)
}

/// Registers the rules.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProblem>()?;
    m.add_class::<PyTokenHealth>()?;
    m.add_class::<PySyncDecision>()?;
    m.add_class::<PyViolation>()?;
    m.add_class::<PyGuidance>()?;
    m.add_function(wrap_pyfunction!(push_certificate_health, m)?)?;
    m.add_function(wrap_pyfunction!(enrollment_program_token_health, m)?)?;
    m.add_function(wrap_pyfunction!(vpp_token_health, m)?)?;
    m.add_function(wrap_pyfunction!(sync_decision, m)?)?;
    m.add_function(wrap_pyfunction!(validate_profile, m)?)?;
    m.add_function(wrap_pyfunction!(validate_device_name_template, m)?)?;
    m.add_function(wrap_pyfunction!(guidance, m)?)?;
    m.add_function(wrap_pyfunction!(vpp_token_usable, m)?)?;
    m.add_function(wrap_pyfunction!(superseded_tokens, m)?)?;
    m.add_function(wrap_pyfunction!(find_duplicate_apps, m)?)?;
    m.add_function(wrap_pyfunction!(assignment_key, m)?)?;
    m.add_function(wrap_pyfunction!(plan_assignments, m)?)?;
    Ok(())
}
